package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/artifact"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/npyio"
)

// A compiled program, loaded with go-xla's pjrt package directly (not through
// brainc's runner) and fed state0.npz, produces the same spikes as a brainc
// run with the same seed.
func TestCompiledProgramRunsInPlainPJRT(t *testing.T) {
	const k, steps, capacity = 5, 100, 512 // capacity ≥ every population: no re-runs needed
	net := parse(t, smallCOBA)
	net.Duration = float64(steps) * net.Dt
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	b := cpu(t)
	a, err := artifact.Compile(b, prog, artifact.Options{K: k, Steps: steps, Capacities: []int{capacity}})
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "compiled")
	require.NoError(t, a.Write(dir))

	// Everything below reads only the files.
	var m artifact.Manifest
	js, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &m))
	require.Len(t, m.Programs, 1)
	p := m.Programs[0]
	assert.Equal(t, "small_coba_k5_c512", p.Name)
	mlir, err := os.ReadFile(filepath.Join(dir, p.File))
	require.NoError(t, err)
	names, arrays, err := npyio.ReadNPZ(filepath.Join(dir, m.State0))
	require.NoError(t, err)
	byName := map[string]npyio.Array{}
	for i, n := range names {
		byName[n] = arrays[i]
	}

	plugin, err := xlapjrt.GetPlugin(b.Path)
	require.NoError(t, err)
	client, err := plugin.NewClient(nil)
	require.NoError(t, err)
	defer func() { _ = client.Destroy() }()
	exe, err := client.Compile().WithStableHLO(mlir).Done()
	require.NoError(t, err)

	inputs := make([]*xlapjrt.Buffer, len(p.Inputs))
	for i, in := range p.Inputs {
		arr, ok := byName[in.Name]
		require.True(t, ok, "state0.npz lacks %s", in.Name)
		assert.Equal(t, in.Shape, arr.Shape, in.Name)
		inputs[i], err = client.BufferFromHost().FromFlatDataWithDimensions(arr.Data, arr.Shape).Done()
		require.NoError(t, err)
	}
	nState := 0
	for _, out := range p.Outputs {
		if out.Role == "state" {
			nState++
		}
	}
	require.Equal(t, "events", p.Outputs[nState].Name)
	type spike struct {
		t   float64
		idx int32
	}
	got := map[string][]spike{}
	for chunk := 0; chunk < steps/k; chunk++ {
		outs, err := exe.Execute(inputs...).Done()
		require.NoError(t, err)
		events, dims, err := xlapjrt.BufferToArray[int32](outs[nState])
		require.NoError(t, err)
		width := dims[1]
		for s := 0; s < k; s++ {
			for _, f := range p.Events {
				row := events[s*width+f.CountColumn:]
				require.LessOrEqual(t, int(row[0]), f.Capacity)
				for _, i := range row[1 : 1+row[0]] {
					got[f.Population] = append(got[f.Population], spike{float64(chunk*k+s) * m.DT, i})
				}
			}
		}
		copy(inputs, outs[:nState]) // the new state; constants stay
	}

	want, _ := simulate(t, net, lower.Options{}, jit.Options{K: k, Capacity: capacity})
	total := 0
	for _, s := range want.Spikes {
		var w []spike
		for i := range s.Times {
			w = append(w, spike{s.Times[i], s.Indices[i]})
		}
		assert.Equal(t, w, got[s.Pop], "population %s", s.Pop)
		total += len(w)
	}
	assert.Greater(t, total, 100)
}
