package pjrt

import (
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tracing returns GoMLX's StableHLO module without compiling it; the
// backend's own client compiles and runs it on buffers.
func TestTraceStableHLOAndClient(t *testing.T) {
	b, err := Open(Options{Backend: "cpu"})
	require.NoError(t, err)
	defer b.Finalize()
	before := xlapjrt.LoadedExecutablesAlive()
	text, err := TraceStableHLO(b, "plus_one", []shapes.Shape{shapes.Make(dtypes.Float32, 3)}, func(in []*graph.Node) []*graph.Node {
		return []*graph.Node{graph.AddScalar(in[0], 1)}
	})
	require.NoError(t, err)
	assert.Equal(t, before, xlapjrt.LoadedExecutablesAlive(), "tracing compiles nothing")
	assert.Contains(t, text, "func.func @main(")
	assert.Contains(t, text, "stablehlo.add")

	// Tracing again works (the aborted compile left no lock behind), and a
	// panic in the traced function is an error, not a crash.
	_, err = TraceStableHLO(b, "bad", []shapes.Shape{shapes.Make(dtypes.Float32, 3)}, func(in []*graph.Node) []*graph.Node {
		return []*graph.Node{graph.Add(in[0], graph.Const(in[0].Graph(), []float32{1, 2}))}
	})
	require.Error(t, err)

	c, err := Client(b)
	require.NoError(t, err)
	exe, err := c.Compile().WithStableHLO([]byte(text)).Done()
	require.NoError(t, err)
	defer func() { _ = exe.Destroy() }()
	in, err := xlapjrt.ArrayToBuffer(c, []float32{1, 2, 3}, 3)
	require.NoError(t, err)
	outs, err := exe.Execute(in).DonateNone().Done()
	require.NoError(t, err)
	got, _, err := xlapjrt.BufferToArray[float32](outs[0])
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 3, 4}, got)

	g, err := Open(Options{Backend: "go"})
	require.NoError(t, err)
	_, err = Client(g)
	assert.ErrorContains(t, err, "runs no StableHLO")
}
