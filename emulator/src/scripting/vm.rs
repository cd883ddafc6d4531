//! The Lua state that scripts run in, with the two limits that keep a browser tab alive:
//! a memory cap (allocation fails cleanly with "not enough memory") and an instruction budget
//! (a runaway loop is stopped with an error instead of freezing the page).
//!
//! Once a run's budget is spent, every later instruction of that run fails too, so a script
//! cannot catch the error with `pcall` and carry on; the next run starts with a fresh budget.

use std::cell::Cell;
use std::rc::Rc;

use mlua::{HookTriggers, Lua, LuaOptions, StdLib, VmState};

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

/// The instructions left in the current run.
#[derive(Debug, Default)]
struct Budget {
    remaining: Cell<u64>,
    exhausted: Cell<bool>,
}

pub struct LuaVm {
    lua: Lua,
    budget: Rc<Budget>,
    limits: VmLimits,
}

fn budget_error() -> mlua::Error {
    mlua::Error::runtime(BUDGET_EXCEEDED)
}

/// Makes the running thread fail at its next instruction, and every one after.
fn fail_every_instruction(lua: &Lua) {
    let _ = lua
        .current_thread()
        .set_hook(HookTriggers::new().every_nth_instruction(1), |_, _| {
            Err(budget_error())
        });
}

impl LuaVm {
    /// A Lua state with the base, table, string, math and coroutine libraries.
    pub fn new(limits: VmLimits) -> mlua::Result<Self> {
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::COROUTINE;
        let lua = Lua::new_with(libs, LuaOptions::default())?;
        lua.set_memory_limit(limits.memory_bytes)?;
        let budget = Rc::new(Budget::default());
        budget.remaining.set(limits.instruction_budget);
        let vm = LuaVm {
            lua,
            budget,
            limits,
        };
        vm.install_hook()?;
        Ok(vm)
    }

    /// The hook is global so coroutines created by scripts are counted too.
    fn install_hook(&self) -> mlua::Result<()> {
        let budget = self.budget.clone();
        self.lua.set_global_hook(
            HookTriggers::new().every_nth_instruction(HOOK_EVERY),
            move |lua, _debug| {
                if !budget.exhausted.get() {
                    let left = budget.remaining.get().saturating_sub(u64::from(HOOK_EVERY));
                    budget.remaining.set(left);
                    if left > 0 {
                        return Ok(VmState::Continue);
                    }
                    budget.exhausted.set(true);
                }
                fail_every_instruction(lua);
                Err(budget_error())
            },
        )
    }

    /// The underlying state, for registering functions and globals.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    pub fn limits(&self) -> VmLimits {
        self.limits
    }

    /// Starts a run with `instructions` to spend (clearing the previous run's exhaustion).
    pub fn begin_run(&self, instructions: u64) -> mlua::Result<()> {
        if self.budget.exhausted.get() {
            // The exhausted run left per-thread hooks behind; put the counting hook back.
            self.lua.remove_hook();
            self.install_hook()?;
        }
        self.budget.exhausted.set(false);
        self.budget.remaining.set(instructions.max(1));
        Ok(())
    }

    /// Whether the current run has spent its budget.
    pub fn budget_exhausted(&self) -> bool {
        self.budget.exhausted.get()
    }

    /// A check of [`Self::budget_exhausted`] that Lua callbacks can own.
    pub fn exhaustion_probe(&self) -> impl Fn() -> bool + 'static {
        let budget = self.budget.clone();
        move || budget.exhausted.get()
    }

    /// Runs a chunk with a fresh instruction budget and returns its values.
    pub fn run<R: mlua::FromLuaMulti>(&self, name: &str, code: &str) -> mlua::Result<R> {
        self.begin_run(self.limits.instruction_budget)?;
        self.lua.load(code).set_name(name).call(())
    }

    /// Bytes the Lua state currently holds.
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory()
    }
}
