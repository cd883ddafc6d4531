/* setjmp.h for wasm32: wasi-libc's 2022 snapshot ships none.
 *
 * LLVM lowers calls to setjmp/longjmp (with -mllvm -wasm-enable-sjlj) into calls to the runtime in
 * sjlj_runtime.c plus wasm exception handling, so these are only declarations. The buffer must
 * hold that runtime's `struct jmp_buf_impl`. */
#ifndef PLAYGROUND_SETJMP_H
#define PLAYGROUND_SETJMP_H

typedef struct __jmp_buf_tag {
    unsigned long long __storage[4];
} jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int val);

/* Lua uses the _-prefixed forms under LUA_USE_POSIX. */
#define _setjmp setjmp
#define _longjmp longjmp

#endif
