package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/artifact"
	"github.com/brainc/brainc/cpuops"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/npyio"
)

// A compiled program, loaded with go-xla's pjrt package directly (not through
// brainc's runner) and fed state0.npz, produces the same spikes as a brainc
// run with the same seed. The calls run 70 steps each (not a multiple of
// anything), the last one fewer.
func TestCompiledProgramRunsInPlainPJRT(t *testing.T) {
	const steps, perCall, capacity = 300, 70, 512 // capacity ≥ every population: no overflow
	net := parse(t, smallCOBA)
	net.Duration = float64(steps) * net.Dt
	prog, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	b := cpu(t)
	a, err := artifact.Compile(b, prog, artifact.Options{Steps: steps, Capacities: []int{capacity}})
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "compiled")
	require.NoError(t, a.Write(dir, false))

	// Everything below reads only the files.
	var m artifact.Manifest
	js, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &m))
	require.Len(t, m.Programs, 1)
	p := m.Programs[0]
	assert.Equal(t, "small_coba_c512", p.Name)
	// The CPU plugin runs brainc's custom calls: the manifest names them
	// (a runtime needs their handlers; this process registered them).
	assert.Equal(t, []string{cpuops.CompactTarget, cpuops.CSRTarget}, p.CustomCalls)
	mlir, err := os.ReadFile(filepath.Join(dir, p.File))
	require.NoError(t, err)
	byName, err := npyio.ReadNPZMap(filepath.Join(dir, m.State0))
	require.NoError(t, err)

	plugin, err := xlapjrt.GetPlugin(b.Path)
	require.NoError(t, err)
	client, err := plugin.NewClient(nil)
	require.NoError(t, err)
	defer func() { _ = client.Destroy() }()
	exe, err := client.Compile().WithStableHLO(mlir).Done()
	require.NoError(t, err)

	var inputs []*xlapjrt.Buffer // all but n
	carried, eventsAt := 0, -1
	for _, in := range p.Inputs {
		if in.Role == "n" {
			continue
		}
		arr, ok := byName[in.Name]
		require.True(t, ok, "state0.npz lacks %s", in.Name)
		assert.Equal(t, in.Shape, arr.Shape, in.Name)
		buf, err := client.BufferFromHost().FromFlatDataWithDimensions(arr.Data, arr.Shape).Done()
		require.NoError(t, err)
		inputs = append(inputs, buf)
		if in.Role == "state" || in.Role == "row" {
			carried++
		}
	}
	for i, out := range p.Outputs {
		if out.Role == "events" {
			eventsAt = i
		}
	}
	require.Equal(t, "steps", p.Outputs[carried].Name)
	type spike struct {
		t   float64
		idx int32
	}
	got := map[string][]spike{}
	for done := 0; done < steps; {
		n, err := xlapjrt.ScalarToBuffer(client, int32(min(perCall, steps-done)))
		require.NoError(t, err)
		outs, err := exe.Execute(append(slices.Clone(inputs), n)...).DonateNone().Done()
		require.NoError(t, err)
		ran, err := xlapjrt.BufferToScalar[int32](outs[carried])
		require.NoError(t, err)
		require.Equal(t, int32(min(perCall, steps-done)), ran, "no overflow at this capacity")
		events, dims, err := xlapjrt.BufferToArray[int32](outs[eventsAt])
		require.NoError(t, err)
		assert.Equal(t, p.Rows, dims[0])
		width := dims[1]
		for s := range int(ran) {
			for _, f := range p.Events {
				row := events[s*width+f.CountColumn:]
				for _, i := range row[1 : 1+row[0]] {
					for _, pop := range f.Populations {
						if int(i) >= pop.Offset && int(i) < pop.Offset+pop.Size {
							got[pop.Name] = append(got[pop.Name], spike{float64(done+s) * m.DT, i - int32(pop.Offset)})
						}
					}
				}
			}
		}
		copy(inputs, outs[:carried]) // the new state and events row; constants stay
		done += int(ran)
	}

	want, _ := simulate(t, net, lower.Options{}, jit.Options{Engine: jit.EngineChunk, K: 5, Capacity: capacity})
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
