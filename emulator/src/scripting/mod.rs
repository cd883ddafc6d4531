//! Lua scripting support: a sandboxed Lua 5.4 state with a memory cap and an instruction budget.

mod vm;

pub use vm::{LuaVm, VmLimits, BUDGET_EXCEEDED};
