// XLA FFI handlers of brainc's CPU custom calls and their registration
// through the PJRT FFI extension (see ffi.c).
#ifndef BRAINC_CPUOPS_FFI_H
#define BRAINC_CPUOPS_FFI_H

#include <stddef.h>

// brainc_handler returns the handler of a target: 0 compaction, 1 CSR
// propagation, 2 delayed CSR propagation (NULL otherwise).
void* brainc_handler(int which);

// brainc_register calls the PJRT FFI extension's register_handler (the
// function pointer at offset 40 of the extension ext) for target name on
// platform "Host" and returns its PJRT_Error* (NULL: accepted).
void* brainc_register(void* ext, const char* name, void* handler);

#endif
