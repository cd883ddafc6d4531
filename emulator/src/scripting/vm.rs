//! The Lua state that scripts run in, with the two limits that keep a browser tab alive:
//! a memory cap (allocation fails cleanly with "not enough memory") and an instruction budget
//! (a runaway loop is stopped with an error instead of freezing the page).

use std::cell::Cell;
use std::rc::Rc;

use mlua::{HookTriggers, Lua, VmState};

/// Limits applied to each script run.
#[derive(Clone, Copy, Debug)]
pub struct VmLimits {
    /// Bytes the Lua state may allocate in total.
    pub memory_bytes: usize,
    /// Lua VM instructions one run may execute before it is stopped.
    pub instruction_budget: u64,
}

impl Default for VmLimits {
    fn default() -> Self {
        VmLimits {
            memory_bytes: 64 << 20,
            instruction_budget: 500_000_000,
        }
    }
}

/// How often (in VM instructions) the budget hook runs; coarse enough to cost nothing.
const HOOK_EVERY: u32 = 10_000;

/// Message of the error raised when a run exceeds its instruction budget.
pub const BUDGET_EXCEEDED: &str = "script exceeded its instruction budget";

pub struct LuaVm {
    lua: Lua,
    remaining: Rc<Cell<u64>>,
    limits: VmLimits,
}

impl LuaVm {
    pub fn new(limits: VmLimits) -> mlua::Result<Self> {
        let lua = Lua::new();
        lua.set_memory_limit(limits.memory_bytes)?;
        let remaining = Rc::new(Cell::new(limits.instruction_budget));
        let counter = remaining.clone();
        lua.set_hook(
            HookTriggers::new().every_nth_instruction(HOOK_EVERY),
            move |_lua, _debug| {
                let left = counter.get().saturating_sub(HOOK_EVERY as u64);
                counter.set(left);
                if left == 0 {
                    Err(mlua::Error::runtime(BUDGET_EXCEEDED))
                } else {
                    Ok(VmState::Continue)
                }
            },
        )?;
        Ok(LuaVm {
            lua,
            remaining,
            limits,
        })
    }

    /// The underlying state, for registering functions and globals.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    /// Runs a chunk with a fresh instruction budget and returns its values.
    pub fn run<R: mlua::FromLuaMulti>(&self, name: &str, code: &str) -> mlua::Result<R> {
        self.remaining.set(self.limits.instruction_budget);
        self.lua.load(code).set_name(name).call(())
    }

    /// Bytes the Lua state currently holds.
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory()
    }
}
