package netspec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/npyio"
)

// A network is loaded with its data files: Parse reads them into the
// fields Read, ReadData does the same for a network built in Go (once:
// a file already read is not read again), and an error names the field
// and line of the value.
func TestReadDataLoadsEveryFileOnce(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, a ...npyio.Array) string {
		path := filepath.Join(dir, name)
		if filepath.Ext(name) == ".npy" {
			f, err := os.Create(path)
			require.NoError(t, err)
			require.NoError(t, npyio.WriteNPY(f, a[0]))
			require.NoError(t, f.Close())
		} else {
			require.NoError(t, npyio.WriteNPZ(path, []string{"times", "indices"}, a))
		}
		return path
	}
	tau := write("tau.npy", npyio.Array{Shape: []int{3}, Data: []float64{10, 20, 30}})
	write("s.npz", npyio.Array{Shape: []int{2}, Data: []float64{1, 2}}, npyio.Array{Shape: []int{2}, Data: []int64{0, 1}})
	spec := `
populations:
  A: {size: 3, model: LifRef, params: {tau: {file: tau.npy}}}
  S: {size: 2, model: SpikeTimes, spikes: {file: s.npz}}
`
	net, err := Parse([]byte(spec), filepath.Join(dir, "n.yaml"))
	require.NoError(t, err)
	assert.Equal(t, &ir.FileValues{Values: []float64{10, 20, 30}, Shape: []int{3}}, net.Populations[0].Vary["tau"].Read)
	assert.Equal(t, &ir.ReadSpikes{Times: []float64{1, 2}, Indices: []int{0, 1}}, net.Populations[1].Spikes.Read)

	// Read once: with the files gone, loading again changes nothing.
	require.NoError(t, os.Remove(tau))
	require.NoError(t, ReadData(net))
	assert.Equal(t, []float64{10, 20, 30}, net.Populations[0].Vary["tau"].Read.Values)

	// A network built in Go, with a hole Validate reports later.
	g := &ir.Network{File: "go", Populations: []*ir.Population{nil, {Name: "B", Size: 3, Line: 7,
		Init: map[string]ir.Init{"V": {Kind: ir.InitFile, File: filepath.Join(dir, "v.npy")}}}}}
	err = ReadData(g)
	require.Error(t, err)
	assert.Regexp(t, `^go:7: populations\.B: init\.V: .*v\.npy`, err.Error())
	write("v.npy", npyio.Array{Shape: []int{3}, Data: []float64{-70, -65, -60}})
	require.NoError(t, ReadData(g))
	assert.Equal(t, []float64{-70, -65, -60}, g.Populations[1].Init["V"].Read.Values)
}

// A connectome is read when the spec is loaded: its regions must be the
// populations' neurons, a speed needs tract lengths, and the speed is a
// length per time.
func TestConnectomeLoads(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "c.npz"), []string{"weights"}, []npyio.Array{
		{Shape: []int{2, 2}, Data: []float64{0, 1, 1, 0}}}))
	spec := func(size, speed string) []byte {
		return []byte(`
populations:
  R: {size: ` + size + `, model: StuartLandau}
projections:
  RR: {pre: R, post: R, conn: {connectome: {file: c.npz` + speed + `}}, weight: 0.1, synapse: Delta, output: CUBA}
`)
	}
	net, err := Parse(spec("2", ""), filepath.Join(dir, "n.yaml"))
	require.NoError(t, err)
	assert.Equal(t, &ir.SynapseList{Pre: []int64{0, 1}, Post: []int64{1, 0}, Weight: []float64{1, 1}}, net.Projections[0].Conn.Read)
	for _, tc := range []struct{ size, speed, want string }{
		{"3", "", "n.yaml:5: projections.RR: " + filepath.Join(dir, "c.npz") + " has 2 regions, but population R has 3 neurons: one neuron per region"},
		{"2", ", speed: 3 mm/ms", "n.yaml:5: projections.RR: " + filepath.Join(dir, "c.npz") + " has no tract lengths, so speed 3 mm/ms gives no delays: leave speed out, or add tract_lengths"},
		{"2", ", speed: 3 ms", `n.yaml:5: projections.RR.conn.connectome.speed: expected a speed (e.g. "3 mm/ms" or "3 m/s"): dimensions disagree`},
		{"2", ", speed: -3 mm/ms", "n.yaml:5: projections.RR.conn.connectome.speed: must be a finite speed ≥ 0 (e.g. 3 mm/ms), got -3 mm/ms"},
		{"2", ", speed: 1e999 mm/ms", `n.yaml:5: projections.RR.conn.connectome.speed: expected a speed (e.g. "3 mm/ms" or "3 m/s"): "1e999 mm/ms" is not a finite number with a unit of length per time`},
	} {
		_, err := Parse(spec(tc.size, tc.speed), filepath.Join(dir, "n.yaml"))
		require.Error(t, err, tc.want)
		assert.Contains(t, err.Error(), tc.want)
	}
	net, err = Parse(spec("2", ", speed: 3 m/s"), filepath.Join(dir, "ok.yaml"))
	if err == nil {
		t.Fatalf("speed without tract lengths was accepted: %+v", net.Projections[0].Conn)
	}
}
