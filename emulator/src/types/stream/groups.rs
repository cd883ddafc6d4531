//! Consumer groups: a group's last delivered ID and read counter, its pending entries list
//! (PEL: delivered, not yet acknowledged entries, by ID), and its consumers, each with the
//! IDs of the pending entries delivered to it.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::StreamId;

/// A pending entry.
#[derive(Clone, Debug)]
pub struct Nack {
    /// Engine time of the last delivery.
    pub delivery_time: i64,
    pub delivery_count: u64,
    /// The consumer it was last delivered to.
    pub consumer: Rc<[u8]>,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub name: Rc<[u8]>,
    /// Engine time the consumer was last active.
    pub seen_time: i64,
    pub pel: BTreeSet<StreamId>,
}

#[derive(Clone, Debug)]
pub struct ConsumerGroup {
    pub last_id: StreamId,
    /// Entries the group has read (its logical position), None when unknown.
    pub entries_read: Option<i64>,
    pub pel: BTreeMap<StreamId, Nack>,
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: Option<i64>) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Adds a consumer; false if one of that name exists.
    pub fn create_consumer(&mut self, name: &[u8], now: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            name.to_vec(),
            Consumer {
                name: Rc::from(name),
                seen_time: now,
                pel: BTreeSet::new(),
            },
        );
        true
    }

    /// Deletes a consumer and its pending entries; returns how many it had, None if absent.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pel {
            self.pel.remove(id);
        }
        Some(consumer.pel.len())
    }

    /// Removes a pending entry from the group's and its consumer's lists; true if it was
    /// pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(nack) = self.pel.remove(&id) else {
            return false;
        };
        if let Some(consumer) = self.consumers.get_mut(&*nack.consumer) {
            consumer.pel.remove(&id);
        }
        true
    }

    /// Makes `id` pending for `consumer` (which must exist), delivered at `now` with
    /// `count`, moving it from another consumer if needed.
    pub fn assign(&mut self, id: StreamId, consumer: &[u8], now: i64, count: u64) {
        let Some(owner) = self.consumers.get(consumer).map(|c| c.name.clone()) else {
            return;
        };
        if let Some(previous) = self.pel.get(&id).map(|n| n.consumer.clone()) {
            if *previous != *consumer {
                if let Some(c) = self.consumers.get_mut(&*previous) {
                    c.pel.remove(&id);
                }
            }
        }
        self.pel.insert(
            id,
            Nack {
                delivery_time: now,
                delivery_count: count,
                consumer: owner,
            },
        );
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }
}
