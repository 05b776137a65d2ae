//! The sandbox revisions run in: a raw Rhai engine with only the packages revisions need, the 19
//! constructors, limits on everything that can grow, and a wall-clock guard.
//!
//! Revisions are written by the team, not by attackers, but a mistaken `loop {}` or a runaway
//! recursion must end as a located error, not a hung CI job; and scripts must not be able to
//! read files, the clock or the environment, so that running one twice gives the same plan.

use std::any::TypeId;
use std::cell::Cell;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rhai::packages::{BasicArrayPackage, BasicMapPackage, CorePackage, LogicPackage, MoreStringPackage, Package};
use rhai::{
    AST, CallFnOptions, Dynamic, Engine, EvalAltResult, FuncRegistration, Module, NativeCallContext, OptimizationLevel,
    ParseError, Position, RhaiFunc, Scope,
};

use super::LocatedOp;
use super::convert::{CONSTRUCTORS, CallError, args_to_json, op_from_call};

/// What a script may consume. The defaults are far above what any revision needs (thousands of
/// operations) and low enough that a runaway script stops within about a second.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Stop a run after this long.
    pub time_limit: Duration,
    /// Rhai operations per run (a coarse CPU budget).
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Expression nesting at top level and inside functions (parse-time stack protection).
    pub max_expr_depth: usize,
    pub max_fn_expr_depth: usize,
    /// Bytes in one string.
    pub max_string_size: usize,
    /// Items in an array and entries in a map, nested containers counted.
    pub max_array_size: usize,
    pub max_map_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            time_limit: Duration::from_secs(1),
            max_operations: 50_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_fn_expr_depth: 64,
            max_string_size: 1 << 20,
            // A dropdown of 100,000 options is a real tenant's (issue 9): its create_dropdown and
            // the list around it must load.
            max_array_size: 1_000_000,
            max_map_size: 100_000,
        }
    }
}

thread_local! {
    /// When the run on this thread must stop. Per thread, because one shared engine may run
    /// scripts on several threads; Rhai runs a call entirely on the calling thread.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Sets this thread's deadline for the duration of one call and restores the previous one.
struct DeadlineGuard(Option<Instant>);

impl DeadlineGuard {
    fn start(limit: Duration) -> DeadlineGuard {
        let previous = DEADLINE.with(|d| d.replace(Instant::now().checked_add(limit)));
        DeadlineGuard(previous)
    }
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.0));
    }
}

/// The configured sandbox. Build it once ([`ScriptEngine::shared`]) and reuse it: building
/// registers every package and constructor.
pub struct ScriptEngine {
    engine: Engine,
    limits: Limits,
}

impl std::fmt::Debug for ScriptEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptEngine").field("limits", &self.limits).finish_non_exhaustive()
    }
}

fn no_sleep() -> Result<(), Box<EvalAltResult>> {
    let e = CallError {
        message: "revision scripts cannot sleep".into(),
        help: "remove the call to sleep".into(),
        key: None,
    };
    Err(EvalAltResult::ErrorRuntime(Dynamic::from(e), Position::NONE).into())
}

/// The name scripts see for an operation value (`type_of(archive_schema("x"))`).
pub(crate) const OP_TYPE_NAME: &str = "operation";

impl ScriptEngine {
    /// The process-wide engine with default limits.
    pub fn shared() -> &'static ScriptEngine {
        static SHARED: OnceLock<ScriptEngine> = OnceLock::new();
        SHARED.get_or_init(|| ScriptEngine::new(Limits::default()))
    }

    pub fn new(limits: Limits) -> ScriptEngine {
        let mut engine = Engine::new_raw();
        // Only what a revision needs: no time, no modules, no I/O of any kind.
        engine.register_global_module(CorePackage::new().as_shared_module());
        engine.register_global_module(BasicArrayPackage::new().as_shared_module());
        engine.register_global_module(BasicMapPackage::new().as_shared_module());
        engine.register_global_module(MoreStringPackage::new().as_shared_module());
        engine.register_global_module(LogicPackage::new().as_shared_module());
        engine.disable_symbol("eval");
        // The core package's `sleep` would block past the wall-clock guard (which only runs
        // between operations); the engine's own functions are found before any package's.
        engine.register_fn("sleep", |_: rhai::INT| no_sleep());
        engine.register_fn("sleep", |_: rhai::FLOAT| no_sleep());
        // Output never reaches stdout: `--format json` owns it.
        engine.on_print(|_| {});
        engine.on_debug(|_, _, _| {});
        engine.set_strict_variables(true);
        engine.set_fail_on_invalid_map_property(true);
        // Keep what was written: headers are read from literal `const` statements and every
        // call keeps its position.
        engine.set_optimization_level(OptimizationLevel::None);
        engine.set_max_operations(limits.max_operations);
        engine.set_max_call_levels(limits.max_call_levels);
        engine.set_max_expr_depths(limits.max_expr_depth, limits.max_fn_expr_depth);
        engine.set_max_string_size(limits.max_string_size);
        engine.set_max_array_size(limits.max_array_size);
        engine.set_max_map_size(limits.max_map_size);
        let limit = limits.time_limit;
        engine.on_progress(move |count| {
            // Reading the clock on every operation would dominate small scripts.
            if count % 512 != 0 {
                return None;
            }
            let expired = DEADLINE.with(|d| d.get()).is_some_and(|t| Instant::now() >= t);
            expired.then(|| Dynamic::from(format!("the script ran longer than {limit:?} and was stopped")))
        });
        engine.register_type_with_name::<LocatedOp>(OP_TYPE_NAME);
        engine.register_type_with_name::<CallError>("call error");
        engine.register_global_module(constructors().into());
        ScriptEngine { engine, limits }
    }

    /// A Rhai definitions file (`module static;`) declaring the constructors, with their
    /// parameters and docs, for the Rhai language server. Generated by Rhai from the same module
    /// the sandbox runs.
    pub fn definitions() -> String {
        let mut engine = Engine::new_raw();
        engine.register_type_with_name::<LocatedOp>(OP_TYPE_NAME);
        engine.register_global_module(constructors().into());
        let body = engine.definitions().include_standard_packages(false).static_module();
        format!(
            "// Rhai definitions of liminal's revision constructors, for the Rhai language server.\n\
             // Generated by `liminal rhai-definitions`; do not edit.\n\
             module static;\n\n{}\n",
            body.trim()
        )
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub(crate) fn compile(&self, text: &str) -> Result<AST, ParseError> {
        self.engine.compile(text)
    }

    /// Call a script function without arguments and without running the file's top-level code,
    /// within the time limit.
    pub(crate) fn call(&self, ast: &AST, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let _deadline = DeadlineGuard::start(self.limits.time_limit);
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        self.engine.call_fn_with_options::<Dynamic>(options, &mut Scope::new(), ast, name, ())
    }

    /// The name a script would use for this value's type.
    pub(crate) fn type_name(&self, d: &Dynamic) -> String {
        self.engine.map_type_name(d.type_name()).to_string()
    }
}

/// The 19 constructors as one module, with their parameter names and docs (Rhai metadata).
fn constructors() -> Module {
    let mut module = Module::new();
    for ctor in CONSTRUCTORS {
        for arity in ctor.arities() {
            let call = move |ctx: Option<NativeCallContext>,
                             args: &mut [&mut Dynamic]|
                  -> Result<Dynamic, Box<EvalAltResult>> {
                let pos = ctx.map_or(Position::NONE, |c| c.call_position());
                let located =
                    |e: CallError| -> Box<EvalAltResult> { EvalAltResult::ErrorRuntime(Dynamic::from(e), pos).into() };
                let values = args_to_json(ctor, args).map_err(located)?;
                let op = op_from_call(ctor, &values).map_err(located)?;
                Ok(Dynamic::from(LocatedOp { op, line: pos.line().unwrap_or(1), column: pos.position().unwrap_or(1) }))
            };
            let func = RhaiFunc::Method { func: Arc::new(call), has_context: true, is_pure: true, is_volatile: true };
            let mut params: Vec<String> =
                ctor.params[..arity].iter().map(|p| format!("{p}: {}", ctor.param_type(p))).collect();
            params.push(OP_TYPE_NAME.to_string());
            FuncRegistration::new(ctor.name)
                .in_global_namespace()
                .with_params_info(params)
                .with_comments([format!("/// {}", ctor.doc)])
                .set_into_module_raw(&mut module, vec![TypeId::of::<Dynamic>(); arity], func);
        }
    }
    module
}

/// A position as 1-based (line, column); unknown parts become 1.
pub(crate) fn line_col(pos: Position) -> (usize, usize) {
    (pos.line().unwrap_or(1), pos.position().unwrap_or(1))
}
