/* The runtime functions LLVM's wasm setjmp/longjmp lowering calls.
 *
 * setjmp records which function invocation owns the buffer and a label for the call site;
 * longjmp throws a wasm exception carrying the buffer, and the lowered function that owns the
 * buffer catches it and asks __wasm_setjmp_test which label to resume at. */
#include <stdint.h>

struct jmp_buf_impl {
    void *func_invocation_id;
    uint32_t label;
    struct longjmp_arg {
        void *env;
        int val;
    } arg;
};

_Static_assert(sizeof(struct jmp_buf_impl) <= 32, "jmp_buf in include/setjmp.h is too small");

void __wasm_setjmp(void *env, uint32_t label, void *func_invocation_id) {
    struct jmp_buf_impl *jb = env;
    jb->func_invocation_id = func_invocation_id;
    jb->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *func_invocation_id) {
    struct jmp_buf_impl *jb = env;
    return jb->func_invocation_id == func_invocation_id ? jb->label : 0;
}

void __wasm_longjmp(void *env, int val) {
    struct jmp_buf_impl *jb = env;
    jb->arg.env = env;
    jb->arg.val = val == 0 ? 1 : val;
    /* Tag 1 is LLVM's C_LONGJMP tag (__c_longjmp). */
    __builtin_wasm_throw(1, &jb->arg);
}
