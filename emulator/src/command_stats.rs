//! Per-command statistics (INFO commandstats) in a table indexed by command number, so that
//! counting a call is an array access rather than a hash lookup by name. Reads go by name,
//! like a map's.

use std::ops::Index;

use crate::commands::Registry;

/// Calls, time, rejections and failures of one command.
#[derive(Default, Debug, Clone, Copy)]
pub struct CommandStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

/// Statistics of the commands that have some, by full name (`get`, `client|list`).
#[derive(Default, Debug, Clone)]
pub struct CommandStatsTable {
    /// By declaration number (`Registry::spec_number`); None for commands not seen yet.
    slots: Vec<Option<CommandStats>>,
}

impl CommandStatsTable {
    /// The statistics of the declaration numbered `number`, created empty if needed.
    pub fn by_number(&mut self, number: usize) -> &mut CommandStats {
        if number >= self.slots.len() {
            self.slots.resize(number + 1, None);
        }
        self.slots[number].get_or_insert_with(CommandStats::default)
    }

    /// Map-style access by full name: `entry(name).or_default()`.
    pub fn entry(&mut self, name: &str) -> StatsEntry<'_> {
        StatsEntry {
            number: Registry::get().spec_number(name),
            table: self,
        }
    }

    pub fn get(&self, name: &str) -> Option<&CommandStats> {
        let number = Registry::get().spec_number(name)?;
        self.slots.get(number)?.as_ref()
    }

    /// Names of the commands that have statistics.
    pub fn keys(&self) -> impl Iterator<Item = &'static &'static str> + '_ {
        let names = Registry::get().spec_names();
        self.slots
            .iter()
            .zip(names)
            .filter(|(slot, _)| slot.is_some())
            .map(|(_, name)| name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &CommandStats)> + '_ {
        let names = Registry::get().spec_names();
        self.slots
            .iter()
            .zip(names)
            .filter_map(|(slot, name)| slot.as_ref().map(|s| (*name, s)))
    }

    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        self.slots.clear();
    }
}

impl Index<&str> for CommandStatsTable {
    type Output = CommandStats;

    /// Like a map's indexing: panics if the command has no statistics.
    fn index(&self, name: &str) -> &CommandStats {
        self.get(name)
            .unwrap_or_else(|| panic!("no statistics for command {name}"))
    }
}

/// See [`CommandStatsTable::entry`].
pub struct StatsEntry<'a> {
    table: &'a mut CommandStatsTable,
    number: Option<usize>,
}

impl<'a> StatsEntry<'a> {
    /// The command's statistics, created empty if needed. Names that are not declared
    /// commands (none are ever passed) share a scratch slot past the declared ones.
    pub fn or_default(self) -> &'a mut CommandStats {
        let number = self
            .number
            .unwrap_or_else(|| Registry::get().spec_names().len());
        self.table.by_number(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_name_and_number() {
        let mut table = CommandStatsTable::default();
        assert!(table.is_empty());
        table.entry("get").or_default().calls += 2;
        let set = Registry::get().command("set").unwrap();
        table.by_number(set.number).calls += 1;
        table.entry("client|list").or_default().rejected_calls += 1;
        assert_eq!(table["get"].calls, 2);
        assert_eq!(table.get("set").map(|s| s.calls), Some(1));
        assert!(table.get("del").is_none());
        let mut names: Vec<&str> = table.keys().copied().collect();
        names.sort();
        assert_eq!(names, ["client|list", "get", "set"]);
        assert_eq!(table.iter().count(), 3);
        table.clear();
        assert_eq!(table.len(), 0);
    }
}
