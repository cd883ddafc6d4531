//! The Lua state that scripts run in, with what keeps a browser tab alive: a memory cap
//! (allocation fails cleanly with "not enough memory") and an instruction count. A run that
//! spends its instructions is paused (its thread yields) so that the host can serve other
//! clients, as Redis does with a script past `busy-reply-threshold`; a run that cannot be
//! paused for too long, or that SCRIPT KILL stops, fails at every later instruction, so that
//! the script cannot catch the error with `pcall` and carry on.

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
    /// Instructions a run may execute where it cannot be paused before it is stopped.
    pub unpausable_instructions: u64,
}

impl Default for VmLimits {
    fn default() -> Self {
        VmLimits {
            memory_bytes: 64 << 20,
            instruction_budget: 500_000_000,
            unpausable_instructions: UNPAUSABLE_LIMIT,
        }
    }
}

/// How often (in VM instructions) the budget hook runs; coarse enough to cost nothing.
const HOOK_EVERY: u32 = 10_000;

/// Instructions a script may run in one stretch where it cannot be paused (inside a C
/// function such as `table.sort`'s comparator, inside one of its own coroutines, or inside a
/// transaction or an AOF load, where scripts are not paused) before it is stopped: the page
/// would freeze otherwise.
pub const UNPAUSABLE_LIMIT: u64 = 500_000_000;

/// Message of the error raised when a script is stopped for running [`UNPAUSABLE_LIMIT`]
/// instructions where it could not be paused.
pub const BUDGET_EXCEEDED: &str = "Script stopped: it ran too long at a point where the \
                                   server cannot pause it (see docs/lua-differences.md)";

/// Message of the error raised in a script that SCRIPT KILL or FUNCTION KILL stopped.
pub const KILLED: &str = "Script killed by user with SCRIPT KILL...";

/// The instructions left in the current slice of a run, and how the run may end.
#[derive(Debug, Default)]
struct Budget {
    remaining: Cell<u64>,
    /// Set once the run must fail at every instruction (killed, or stopped).
    exhausted: Cell<bool>,
    /// Whether the run may be paused when its slice is spent (see [`LuaVm::begin_run`]).
    pausable: Cell<bool>,
    /// The thread the run executes in: only there can the hook pause it.
    run_thread: Cell<usize>,
    /// Set when the hook asked to pause; still set at the next hook if the pause could not
    /// happen (a C function was running).
    pause_requested: Cell<bool>,
    /// Instructions run since the slice was spent without a pause.
    unpausable: Cell<u64>,
    /// Set by SCRIPT KILL / FUNCTION KILL.
    killed: Cell<bool>,
    /// The most instructions a run may execute without a pause once its slice is spent.
    unpausable_limit: Cell<u64>,
}

/// What a run does once its instructions are spent.
#[derive(Clone, Copy)]
pub enum RunEnd<'a> {
    /// Pause: the run executes in this thread, which the hook makes yield.
    Pause(&'a mlua::Thread),
    /// Run on, up to [`UNPAUSABLE_LIMIT`] more instructions.
    RunOn,
    /// Stop with [`BUDGET_EXCEEDED`] (FUNCTION LOAD's timeout).
    Stop,
}

pub struct LuaVm {
    lua: Lua,
    budget: Rc<Budget>,
    limits: VmLimits,
}

fn budget_error() -> mlua::Error {
    mlua::Error::runtime(BUDGET_EXCEEDED)
}

fn killed_error() -> mlua::Error {
    mlua::Error::runtime(KILLED)
}

/// Makes the running thread fail at its next instruction, and every one after, so that the
/// script cannot catch the error with `pcall` and carry on.
fn fail_every_instruction(lua: &Lua, error: fn() -> mlua::Error) {
    let _ = lua
        .current_thread()
        .set_hook(HookTriggers::new().every_nth_instruction(1), move |_, _| {
            Err(error())
        });
}

/// An identity for a thread, to compare with the run's.
fn thread_id(thread: &mlua::Thread) -> usize {
    thread.to_pointer() as usize
}

impl LuaVm {
    /// A Lua state with the base, table, string, math and coroutine libraries.
    pub fn new(limits: VmLimits) -> mlua::Result<Self> {
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::COROUTINE;
        let lua = Lua::new_with(libs, LuaOptions::default())?;
        lua.set_memory_limit(limits.memory_bytes)?;
        let budget = Rc::new(Budget::default());
        budget.remaining.set(limits.instruction_budget);
        budget.unpausable_limit.set(limits.unpausable_instructions);
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
                if budget.killed.get() {
                    budget.exhausted.set(true);
                    fail_every_instruction(lua, killed_error);
                    return Err(killed_error());
                }
                if budget.exhausted.get() {
                    fail_every_instruction(lua, budget_error);
                    return Err(budget_error());
                }
                let left = budget.remaining.get().saturating_sub(u64::from(HOOK_EVERY));
                budget.remaining.set(left);
                if left > 0 {
                    return Ok(VmState::Continue);
                }
                // The slice is spent: pause in the run's own thread if possible, once; count
                // the instructions that run where no pause happens.
                let here = budget.pausable.get()
                    && thread_id(&lua.current_thread()) == budget.run_thread.get();
                if here && !budget.pause_requested.get() {
                    budget.pause_requested.set(true);
                    return Ok(VmState::Yield);
                }
                let unpausable = budget.unpausable.get() + u64::from(HOOK_EVERY);
                budget.unpausable.set(unpausable);
                if unpausable >= budget.unpausable_limit.get() {
                    budget.exhausted.set(true);
                    fail_every_instruction(lua, budget_error);
                    return Err(budget_error());
                }
                if here {
                    // Ask again: the pause did not happen (a C function was running).
                    return Ok(VmState::Yield);
                }
                Ok(VmState::Continue)
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

    /// Starts a run with `instructions` to spend (clearing the previous run's state); what
    /// happens when they are spent depends on `end`.
    pub fn begin_run(&self, instructions: u64, end: RunEnd) -> mlua::Result<()> {
        if self.budget.exhausted.get() {
            // The ended run left per-thread hooks behind; put the counting hook back.
            self.lua.remove_hook();
            self.install_hook()?;
        }
        self.budget.exhausted.set(false);
        self.budget.killed.set(false);
        let (pausable, thread) = match end {
            RunEnd::Pause(thread) => (true, thread_id(thread)),
            RunEnd::RunOn => (false, 0),
            RunEnd::Stop => (false, 0),
        };
        self.budget.pausable.set(pausable);
        self.budget.run_thread.set(thread);
        self.continue_run(instructions);
        if matches!(end, RunEnd::Stop) {
            let limit = self.budget.unpausable_limit.get();
            self.budget
                .unpausable
                .set(limit.saturating_sub(u64::from(HOOK_EVERY)));
        }
        Ok(())
    }

    /// Gives a paused run `instructions` more before its next pause.
    pub fn continue_run(&self, instructions: u64) {
        self.budget.pause_requested.set(false);
        self.budget.unpausable.set(0);
        self.budget.remaining.set(instructions.max(1));
    }

    /// Whether the last resume of the run ended in a pause the hook asked for.
    pub fn pause_requested(&self) -> bool {
        self.budget.pause_requested.get()
    }

    /// SCRIPT KILL: the run fails at its next hook, and at every instruction after.
    pub fn kill(&self) {
        self.budget.killed.set(true);
    }

    /// Whether the current run has ended in a way it cannot catch (killed or stopped).
    pub fn budget_exhausted(&self) -> bool {
        self.budget.exhausted.get()
    }

    /// A check of [`Self::budget_exhausted`] that Lua callbacks can own.
    pub fn exhaustion_probe(&self) -> impl Fn() -> bool + 'static {
        let budget = self.budget.clone();
        move || budget.exhausted.get()
    }

    /// A check that Lua callbacks can own: whether a thread is the one a pausable run
    /// executes in (scripts must not see it as a coroutine of theirs).
    pub fn run_thread_probe(&self) -> impl Fn(&mlua::Thread) -> bool + 'static {
        let budget = self.budget.clone();
        move |thread| budget.pausable.get() && thread_id(thread) == budget.run_thread.get()
    }

    /// Runs a chunk with a fresh instruction budget and returns its values.
    pub fn run<R: mlua::FromLuaMulti>(&self, name: &str, code: &str) -> mlua::Result<R> {
        self.begin_run(self.limits.instruction_budget, RunEnd::Stop)?;
        self.lua.load(code).set_name(name).call(())
    }

    /// Bytes the Lua state currently holds.
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory()
    }
}
