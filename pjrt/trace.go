package pjrt

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/xla"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// errTraced stops GoMLX's compile once the program text has been logged:
// tracing a program for brainc's own module must not cost an XLA compile.
type errTraced struct{ text string }

// TraceStableHLO traces fn on a graph of the XLA backend b, with one
// parameter per input shape, and returns the StableHLO module GoMLX builds
// for it, without compiling it. The module's entry is @main(inputs…) ->
// (fn's outputs…). It fails on backends that are not XLA (the pure-Go
// backend has no StableHLO).
//
// GoMLX v0.26 exposes the text only through the log line it writes just
// before handing the program to PJRT (see CaptureStableHLO); here the log
// sink stops the compile at that line, so no executable is built.
func TraceStableHLO(b backends.Backend, name string, inputs []shapes.Shape, fn func([]*graph.Node) []*graph.Node) (text string, err error) {
	if _, err := xlaBackend(b); err != nil {
		return "", err
	}
	g := graph.NewGraph(b, name)
	defer g.Finalize()
	captureMu.Lock()
	defer captureMu.Unlock()
	restore, err := captureLogs(&programSink{abort: true})
	if err != nil {
		return "", err
	}
	defer restore()
	defer func() {
		switch r := recover().(type) {
		case nil:
		case errTraced:
			text, err = r.text, nil
		case error:
			err = fmt.Errorf("pjrt: tracing %s: %w", name, r)
		default:
			err = fmt.Errorf("pjrt: tracing %s: %v", name, r)
		}
	}()
	params := make([]*graph.Node, len(inputs))
	for i, s := range inputs {
		params[i] = graph.Parameter(g, fmt.Sprintf("in%d", i), s)
	}
	g.Compile(fn(params)...)
	return "", errors.New("pjrt: GoMLX compiled without logging its StableHLO program; cannot trace")
}

// xlaBackend returns the GoMLX XLA backend behind b.
func xlaBackend(b backends.Backend) (*xla.Backend, error) {
	if pb, ok := b.(*Backend); ok {
		b = pb.Backend
	}
	xb, ok := b.(*xla.Backend)
	if !ok {
		return nil, fmt.Errorf("pjrt: the %q backend runs no StableHLO (an XLA PJRT plugin is needed)", b.Name())
	}
	return xb, nil
}

// Client returns the PJRT client of an XLA backend, so that brainc can
// compile its own StableHLO modules and run them on the buffers GoMLX
// tensors hold. GoMLX v0.26 keeps the client in an unexported field; the
// field is read by name and type, and a GoMLX version without it is an
// error here, not a crash.
func Client(b backends.Backend) (*xlapjrt.Client, error) {
	xb, err := xlaBackend(b)
	if err != nil {
		return nil, err
	}
	f := reflect.ValueOf(xb).Elem().FieldByName("client")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*xlapjrt.Client]() {
		return nil, errors.New("pjrt: this GoMLX version's XLA backend has no client field of type *pjrt.Client")
	}
	c := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(*xlapjrt.Client)
	if c == nil {
		return nil, errors.New("pjrt: the XLA backend is finalized")
	}
	return c, nil
}
