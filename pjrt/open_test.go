package pjrt

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCPUPluginRunsAGraph is the foundation's proof: the XLA CPU plugin
// installed by `make setup` loads and executes a real graph. It fails (never
// skips) when the plugin is missing.
func TestCPUPluginRunsAGraph(t *testing.T) {
	var stderr bytes.Buffer
	b, err := Open(Options{Backend: "cpu", Stderr: &stderr})
	require.NoError(t, err, "the CPU PJRT plugin must be installed: run `make setup`")
	assert.Equal(t, CPU, b.Kind)
	assert.NotEmpty(t, b.PJRTVersion())
	assert.NotEmpty(t, b.Devices())
	assert.Empty(t, stderr.String())

	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Mul(x, x))
	})
	require.NoError(t, err)
	out, err := exec.Exec(tensors.FromValue([]float64{1, 2, 3, 0.5}))
	require.NoError(t, err)
	assert.Equal(t, 14.25, out[0].Value())
}

func TestGoBackendRunsAGraph(t *testing.T) {
	b, err := Open(Options{Backend: "go"})
	require.NoError(t, err)
	assert.Equal(t, "go", b.Label())
	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node { return graph.ReduceAllSum(x) })
	require.NoError(t, err)
	out, err := exec.Exec(tensors.FromValue([]float32{1, 2, 3}))
	require.NoError(t, err)
	assert.Equal(t, float32(6), out[0].Value())
}

// TestBackendRunsAGraph runs a graph on the backend named by
// $BRAINC_TEST_BACKEND (default "cpu"); scripts/gpu-smoke.sh uses it with
// "cuda" on GPU machines.
func TestBackendRunsAGraph(t *testing.T) {
	name := os.Getenv("BRAINC_TEST_BACKEND")
	if name == "" {
		name = "cpu"
	}
	b, err := Open(Options{Backend: name})
	require.NoError(t, err)
	t.Logf("backend %s: plugin %s, PJRT v%s, devices %q", b.Kind, b.Path, b.PJRTVersion(), b.Devices())
	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Mul(x, x))
	})
	require.NoError(t, err)
	out, err := exec.Exec(tensors.FromValue([]float32{1, 2, 3, 0.5}))
	require.NoError(t, err)
	assert.Equal(t, float32(14.25), out[0].Value())
}

func TestCaptureStableHLO(t *testing.T) {
	b, err := Open(Options{Backend: "cpu"})
	require.NoError(t, err)
	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node { return graph.Mul(x, x) })
	require.NoError(t, err)
	progs, err := CaptureStableHLO(func() error { return exec.PreCompile(tensors.FromValue([]float32{1, 2})) })
	require.NoError(t, err)
	require.Len(t, progs, 1)
	assert.Contains(t, progs[0], "func.func @main(")
	assert.Contains(t, progs[0], "stablehlo.multiply")
	assert.Contains(t, progs[0], "tensor<2xf32>")
	// Compiling nothing new captures nothing, and says so.
	_, err = CaptureStableHLO(func() error { return exec.PreCompile(tensors.FromValue([]float32{1, 2})) })
	assert.ErrorContains(t, err, "no StableHLO program was logged")
}

func TestAutoCPUThreads(t *testing.T) {
	for _, tc := range []struct{ neurons, want int }{{1, 1}, {4000, 1}, {OneCPUUpTo, 1}, {OneCPUUpTo + 1, 0}, {400_000, 0}} {
		assert.Equal(t, tc.want, AutoCPUThreads(tc.neurons), "%d neurons", tc.neurons)
	}
}

// More virtual CPU devices than the machine can carry (1024 on 2 CPUs ran
// out of threads inside XLA) are refused before the client is made.
func TestTooManyVirtualCPUDevices(t *testing.T) {
	limit := MaxVirtualCPUDevices()
	assert.Equal(t, min(MaxCPUDevices, max(8, 8*runtime.NumCPU())), limit)
	if limit == MaxCPUDevices { // 128 CPUs or more: every count Open accepts
		return
	}
	_, err := Open(Options{Backend: "cpu", Devices: limit + 1})
	assert.EqualError(t, err, fmt.Sprintf("pjrt: %d virtual CPU devices on %d CPUs: at most %d (8 per CPU): each one costs two threads and about 25 MiB of address space, and past the CPUs they only take turns",
		limit+1, runtime.NumCPU(), limit))
}
