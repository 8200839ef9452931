// Package cpuops holds brainc's event operators for XLA's CPU plugin as
// XLA FFI custom calls: C handlers, compiled into the brainc binary by
// cgo, registered with the plugin through the PJRT FFI extension, and
// called from the StableHLO the time loop is written in (package loop):
//
//   - brainc_compact: each block's spike keys to its share of the events
//     row (a count and the first capacity firing indices), as the loop's
//     top-k compaction builds it;
//   - brainc_csr: a fan-out table's event-driven propagation for the
//     firing rows of an events row, as ops.EventPropagateCSR (and its
//     per-synapse form) computes it, in the same order of additions;
//   - brainc_csr_delayed: a projection's own table with per-synapse
//     delays, into its ring buffer, as ops.EventPropagateCSRDelayed.
//
// One call each replaces a top-k, a reduction and their selects, and the
// bounds gathers, slot arithmetic, gather and scatter of the composed
// operators. Package jit uses them where Register succeeds and keeps the
// composed operators otherwise.
package cpuops

/*
#cgo CFLAGS: -O2
#include <stdlib.h>
#include "ffi.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"

	"github.com/brainc/brainc/pjrt"
)

// The custom-call targets.
const (
	// CompactTarget builds the events row from the blocks' keys.
	CompactTarget = "brainc_compact"
	// CSRTarget propagates a fan-out table's firing rows.
	CSRTarget = "brainc_csr"
	// CSRDelayedTarget propagates the firing rows of a projection's own
	// table with per-synapse delays into its ring buffer.
	CSRDelayedTarget = "brainc_csr_delayed"
)

// Weight modes of CSRTarget's meta operand.
const (
	// WeightScalar: one weight for every synapse (a rank-0 operand).
	WeightScalar = 0
	// WeightSlot: one weight per target slot, [targets+1].
	WeightSlot = 1
	// WeightSynapse: one weight per stored synapse, aligned with the
	// targets.
	WeightSynapse = 2
)

// MinPJRTMinor is the oldest PJRT C API minor version (major 0) whose FFI
// extension brainc knows: from it on, handler registration takes no
// api_version (typed FFI only); older plugins laid the arguments out
// otherwise.
const MinPJRTMinor = 104

// ffiExtensionType is PJRT_Extension_Type_FFI; ffiExtensionSize the size
// of a PJRT_FFI_Extension that has register_handler.
const (
	ffiExtensionType = 5
	ffiExtensionSize = 48
)

var (
	mu sync.Mutex
	// registered holds Register's result per PJRT_Api table (a plugin
	// loaded once per process).
	registered = map[unsafe.Pointer]error{}
)

// Register registers the handlers with client's plugin (once per plugin
// and process) and checks them by compiling and running a small module
// that calls both. It returns why they cannot be used: a PJRT C API
// version or an FFI extension brainc does not know, a refused
// registration, or a check that failed; the caller then keeps the
// composed operators.
func Register(client *xlapjrt.Client) error {
	api, major, minor, err := pjrt.API(client)
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if err, done := registered[api]; done {
		return err
	}
	err = register(client, api, major, minor)
	if err == nil {
		err = selfCheck(client)
	}
	registered[api] = err
	return err
}

// register finds the FFI extension and registers both handlers.
func register(client *xlapjrt.Client, api unsafe.Pointer, major, minor int) error {
	ext, err := findFFI(api, major, minor)
	if err != nil {
		return err
	}
	for i, name := range []string{CompactTarget, CSRTarget, CSRDelayedTarget} {
		cname := C.CString(name)
		perr := C.brainc_register(ext, cname, C.brainc_handler(C.int(i)))
		C.free(unsafe.Pointer(cname))
		if perr != nil {
			return fmt.Errorf("cpuops: registering %s: %w", name, pjrt.Error(client, perr, "PJRT_FFI_Register_Handler"))
		}
	}
	return nil
}

// ErrUnknownABI is wrapped by findFFI's errors about plugins whose PJRT or
// FFI extension layout brainc does not know.
var ErrUnknownABI = errors.New("cpuops: unknown PJRT FFI layout")

// findFFI walks the extension chain of a PJRT_Api table (its
// extension_start at offset 8) to the FFI extension and checks that it
// is one brainc can call.
func findFFI(api unsafe.Pointer, major, minor int) (unsafe.Pointer, error) {
	if major != 0 || minor < MinPJRTMinor {
		return nil, fmt.Errorf("%w: the plugin's PJRT C API is %d.%d; brainc registers handlers on 0.%d and later (composed operators instead)",
			ErrUnknownABI, major, minor, MinPJRTMinor)
	}
	type extBase struct {
		size uintptr
		typ  int32
		next unsafe.Pointer
	}
	e := *(*unsafe.Pointer)(unsafe.Add(api, 8))
	for n := 0; e != nil && n < 64; n++ {
		b := (*extBase)(e)
		if b.typ == ffiExtensionType {
			if b.size < ffiExtensionSize {
				return nil, fmt.Errorf("%w: the plugin's FFI extension is %d bytes, without register_handler (brainc needs %d)",
					ErrUnknownABI, b.size, ffiExtensionSize)
			}
			if *(*unsafe.Pointer)(unsafe.Add(e, 40)) == nil {
				return nil, fmt.Errorf("%w: the plugin's FFI extension has no register_handler", ErrUnknownABI)
			}
			return e, nil
		}
		e = b.next
	}
	return nil, fmt.Errorf("%w: the plugin has no FFI extension", ErrUnknownABI)
}

// checkModule calls every target: keys [0 1 0 1 1 0] with capacity 3 give
// the row [3 1 3 4]; rows 1, 3, 4 of a table i → i mod 3 with weight 0.5
// give [0.5 1 0]; with delays i mod 2 at step 1 into a ring of two rows of
// ones, row 1 → (0, 1), row 3 → (0, 0), row 4 → (1, 1) give
// [[1.5 1.5 1] [1 1.5 1]].
const checkModule = `module @brainc_cpuops_check {
  func.func @main(%k: tensor<6xf32>) -> (tensor<4xi32>, tensor<3xf32>, tensor<6xf32>) {
    %caps = "stablehlo.constant"() { value = dense<[3]> : tensor<1xi32> } : () -> tensor<1xi32>
    %row = "stablehlo.custom_call"(%caps, %k) { call_target_name = "brainc_compact", api_version = 4 : i32 } : (tensor<1xi32>, tensor<6xf32>) -> tensor<4xi32>
    %meta = "stablehlo.constant"() { value = dense<[0, 3, 6, 0]> : tensor<4xi32> } : () -> tensor<4xi32>
    %ptr = "stablehlo.constant"() { value = dense<[0, 1, 2, 3, 4, 5, 6, 6]> : tensor<8xi32> } : () -> tensor<8xi32>
    %idx = "stablehlo.constant"() { value = dense<[0, 1, 2, 0, 1, 2]> : tensor<6xi32> } : () -> tensor<6xi32>
    %w = "stablehlo.constant"() { value = dense<0.5> : tensor<f32> } : () -> tensor<f32>
    %out = "stablehlo.custom_call"(%meta, %row, %ptr, %idx, %w) { call_target_name = "brainc_csr", api_version = 4 : i32 } : (tensor<4xi32>, tensor<4xi32>, tensor<8xi32>, tensor<6xi32>, tensor<f32>) -> tensor<3xf32>
    %dmeta = "stablehlo.constant"() { value = dense<[0, 3, 0, 6, 0]> : tensor<5xi32> } : () -> tensor<5xi32>
    %step = "stablehlo.constant"() { value = dense<1> : tensor<i32> } : () -> tensor<i32>
    %delay = "stablehlo.constant"() { value = dense<[0, 1, 0, 1, 0, 1]> : tensor<6xi32> } : () -> tensor<6xi32>
    %buf = "stablehlo.constant"() { value = dense<1.0> : tensor<2x3xf32> } : () -> tensor<2x3xf32>
    %ring = "stablehlo.custom_call"(%dmeta, %row, %step, %ptr, %idx, %delay, %w, %buf) { call_target_name = "brainc_csr_delayed", api_version = 4 : i32 } : (tensor<5xi32>, tensor<4xi32>, tensor<i32>, tensor<8xi32>, tensor<6xi32>, tensor<6xi32>, tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %flat = "stablehlo.reshape"(%ring) : (tensor<2x3xf32>) -> tensor<6xf32>
    "func.return"(%row, %out, %flat) : (tensor<4xi32>, tensor<3xf32>, tensor<6xf32>) -> ()
  }
}`

// selfCheck compiles and runs checkModule: PJRT accepts a registration
// even when XLA refuses the handler, so only a compile tells.
func selfCheck(client *xlapjrt.Client) error {
	exe, err := client.Compile().WithStableHLO([]byte(checkModule)).Done()
	if err != nil {
		return fmt.Errorf("cpuops: the plugin does not run the registered handlers: %w", err)
	}
	defer func() { _ = exe.Destroy() }()
	in, err := xlapjrt.ArrayToBuffer(client, []float32{0, 1, 0, 1, 1, 0}, 6)
	if err != nil {
		return err
	}
	defer func() { _ = in.Destroy() }()
	outs, err := exe.Execute(in).DonateNone().Done()
	if err != nil {
		return fmt.Errorf("cpuops: running the check of the handlers: %w", err)
	}
	row, _, err := xlapjrt.BufferToArray[int32](outs[0])
	if err != nil {
		return err
	}
	out, _, err := xlapjrt.BufferToArray[float32](outs[1])
	if err != nil {
		return err
	}
	ring, _, err := xlapjrt.BufferToArray[float32](outs[2])
	if err != nil {
		return err
	}
	for _, b := range outs {
		_ = b.Destroy()
	}
	const want = "[3 1 3 4] [0.5 1 0] [1.5 1.5 1 1 1.5 1]"
	if got := fmt.Sprint(row, out, ring); got != want {
		return fmt.Errorf("cpuops: the handlers' check gave %s, expected %s", got, want)
	}
	return nil
}
