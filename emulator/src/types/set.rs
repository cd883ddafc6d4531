//! Set values with Redis 7.0's two encodings: `intset` (a sorted array of integers, used while
//! every member is a canonical 64-bit integer and there are at most `set-max-intset-entries`
//! of them) and `hashtable`.
//!
//! Redis 7.0 never converts a `hashtable` set back to an `intset`, and neither do we.

use std::collections::HashMap;
use std::rc::Rc;

use super::random;
use crate::util::parse_i64;

/// Redis caps `set-max-intset-entries` at 2^30 whatever the configuration says.
const INTSET_HARD_LIMIT: usize = 1 << 30;

#[derive(Clone, Debug)]
pub enum SetValue {
    IntSet(IntSet),
    Table(MemberTable),
}

/// The `intset` encoding: members in ascending order, and the byte width Redis stores each
/// at (2, 4 or 8: enough for the widest member ever added, never narrowed).
#[derive(Clone, Debug, Default)]
pub struct IntSet {
    values: Vec<i64>,
    width: usize,
}

impl IntSet {
    /// An intset from members in strictly ascending order, stored `width` bytes each (as an
    /// RDB file holds it).
    pub fn from_sorted(values: Vec<i64>, width: usize) -> IntSet {
        IntSet { values, width }
    }

    pub fn values(&self) -> &[i64] {
        &self.values
    }

    /// Bytes per member.
    pub fn width(&self) -> usize {
        self.width.max(2)
    }

    fn insert(&mut self, n: i64) -> bool {
        let Err(at) = self.values.binary_search(&n) else {
            return false;
        };
        self.values.insert(at, n);
        let needed = if i16::try_from(n).is_ok() {
            2
        } else if i32::try_from(n).is_ok() {
            4
        } else {
            8
        };
        self.width = self.width.max(needed);
        true
    }

    fn remove(&mut self, n: i64) -> bool {
        match self.values.binary_search(&n) {
            Ok(at) => {
                self.values.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    fn contains(&self, n: i64) -> bool {
        self.values.binary_search(&n).is_ok()
    }
}

/// One member as stored: integers of an intset are kept as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetMember<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl SetMember<'_> {
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            SetMember::Int(n) => n.to_string().into_bytes(),
            SetMember::Bytes(b) => b.to_vec(),
        }
    }
}

impl SetValue {
    /// An empty set of the encoding Redis would pick for a first member (setTypeCreate).
    pub fn for_first_member(member: &[u8]) -> SetValue {
        if parse_i64(member).is_some() {
            SetValue::IntSet(IntSet::default())
        } else {
            SetValue::Table(MemberTable::default())
        }
    }

    /// An empty `intset`, as Redis starts the results of SINTERSTORE, SUNIONSTORE, SDIFFSTORE.
    pub fn empty() -> SetValue {
        SetValue::IntSet(IntSet::default())
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            SetValue::IntSet(_) => "intset",
            SetValue::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            SetValue::IntSet(ints) => ints.values.len(),
            SetValue::Table(table) => table.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a member; false if it was already there. `max_intset_entries` is the
    /// `set-max-intset-entries` setting.
    pub fn add(&mut self, member: &[u8], max_intset_entries: usize) -> bool {
        match self {
            SetValue::IntSet(ints) => match parse_i64(member) {
                Some(n) => {
                    if !ints.insert(n) {
                        return false;
                    }
                    if ints.values.len() > max_intset_entries.min(INTSET_HARD_LIMIT) {
                        self.convert_to_table();
                    }
                    true
                }
                None => {
                    self.convert_to_table();
                    self.add(member, max_intset_entries)
                }
            },
            SetValue::Table(table) => table.insert(member),
        }
    }

    /// Removes a member; false if it was not there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            SetValue::IntSet(ints) => parse_i64(member).is_some_and(|n| ints.remove(n)),
            SetValue::Table(table) => table.remove(member),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            SetValue::IntSet(ints) => parse_i64(member).is_some_and(|n| ints.contains(n)),
            SetValue::Table(table) => table.contains(member),
        }
    }

    /// Whether `member` (as stored in another set) belongs to this one.
    pub fn contains_member(&self, member: SetMember<'_>) -> bool {
        match (self, member) {
            (SetValue::IntSet(ints), SetMember::Int(n)) => ints.contains(n),
            (_, SetMember::Bytes(b)) => self.contains(b),
            (SetValue::Table(table), SetMember::Int(n)) => table.contains(n.to_string().as_bytes()),
        }
    }

    /// Members in the set's own order: ascending for an intset, table order otherwise.
    pub fn iter(&self) -> impl Iterator<Item = SetMember<'_>> + '_ {
        let (ints, table) = match self {
            SetValue::IntSet(ints) => (Some(ints), None),
            SetValue::Table(table) => (None, Some(table)),
        };
        let ints = ints
            .into_iter()
            .flat_map(|i| i.values.iter())
            .map(|&n| SetMember::Int(n));
        let bytes = table
            .into_iter()
            .flat_map(|t| t.iter())
            .map(SetMember::Bytes);
        ints.chain(bytes)
    }

    /// A uniformly chosen member, None if the set is empty.
    pub fn random(&self) -> Option<SetMember<'_>> {
        match self {
            SetValue::IntSet(ints) => ints
                .values
                .get(random::below(ints.values.len()))
                .map(|&n| SetMember::Int(n)),
            SetValue::Table(table) => table.random().map(SetMember::Bytes),
        }
    }

    /// Removes and returns a uniformly chosen member.
    pub fn pop_random(&mut self) -> Option<Vec<u8>> {
        let member = self.random()?.to_vec();
        self.remove(&member);
        Some(member)
    }

    fn convert_to_table(&mut self) {
        if let SetValue::IntSet(ints) = self {
            let mut table = MemberTable::with_capacity(ints.values.len());
            for n in &ints.values {
                table.insert(n.to_string().as_bytes());
            }
            *self = SetValue::Table(table);
        }
    }
}

/// The `hashtable` encoding: a hash index over a dense array of members.
///
/// The dense array makes a uniform random pick O(1) (SPOP, SRANDMEMBER). Removal moves the
/// last member into the hole, which is what lets SSCAN keep its guarantee: the cursor walks
/// positions downwards, and members only ever move to lower positions, so one that is present
/// for a whole scan cannot slip past the cursor (at worst it is reported twice).
#[derive(Clone, Debug, Default)]
pub struct MemberTable {
    members: Vec<Rc<[u8]>>,
    positions: HashMap<Rc<[u8]>, usize>,
}

impl MemberTable {
    pub fn with_capacity(capacity: usize) -> MemberTable {
        MemberTable {
            members: Vec::with_capacity(capacity),
            positions: HashMap::with_capacity(capacity),
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        self.positions.contains_key(member)
    }

    /// Adds a member; false if it was already there.
    pub fn insert(&mut self, member: &[u8]) -> bool {
        if self.positions.contains_key(member) {
            return false;
        }
        let member: Rc<[u8]> = Rc::from(member);
        self.positions.insert(member.clone(), self.members.len());
        self.members.push(member);
        true
    }

    /// Removes a member; false if it was not there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        let Some(at) = self.positions.remove(member) else {
            return false;
        };
        self.members.swap_remove(at);
        if let Some(moved) = self.members.get(at) {
            if let Some(position) = self.positions.get_mut(moved) {
                *position = at;
            }
        }
        true
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.members.iter().map(|m| &m[..])
    }

    pub fn random(&self) -> Option<&[u8]> {
        self.members
            .get(random::below(self.members.len()))
            .map(|m| &m[..])
    }

    /// One step of a scan: visits up to `count` members starting at `cursor` (0 starts a new
    /// scan) and returns the cursor to continue from, 0 when the scan is complete.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8])) -> u64 {
        let len = self.members.len();
        let mut remaining = if cursor == 0 {
            len
        } else {
            usize::try_from(cursor).map_or(len, |c| c.min(len))
        };
        let mut visited = 0;
        while remaining > 0 && visited < count {
            remaining -= 1;
            if let Some(member) = self.members.get(remaining) {
                visit(member);
            }
            visited += 1;
        }
        remaining as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_converts_on_strings_and_size() {
        let mut set = SetValue::for_first_member(b"5");
        assert!(set.add(b"5", 3));
        assert!(set.add(b"-2", 3));
        assert!(!set.add(b"5", 3));
        assert_eq!(set.encoding(), "intset");
        let members: Vec<Vec<u8>> = set.iter().map(SetMember::to_vec).collect();
        assert_eq!(members, vec![b"-2".to_vec(), b"5".to_vec()]);
        assert!(set.add(b"7", 3));
        assert_eq!(set.encoding(), "intset");
        assert!(set.add(b"8", 3));
        assert_eq!(set.encoding(), "hashtable");
        assert!(set.contains(b"-2") && set.contains(b"8"));
        let mut other = SetValue::for_first_member(b"1");
        other.add(b"01", 512);
        assert_eq!(other.encoding(), "hashtable");
    }

    #[test]
    fn scan_reports_every_member_present_throughout() {
        let mut table = MemberTable::default();
        for i in 0..100 {
            table.insert(format!("m{i}").as_bytes());
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            cursor = table.scan(cursor, 7, |m| {
                seen.insert(m.to_vec());
            });
            // Churn between calls: remove some early members and add new ones.
            round += 1;
            table.remove(format!("m{}", round * 3 % 50 + 50).as_bytes());
            table.insert(format!("new{round}").as_bytes());
            if cursor == 0 {
                break;
            }
        }
        for i in 0..50 {
            assert!(seen.contains(format!("m{i}").as_bytes()), "m{i} missed");
        }
    }
}
