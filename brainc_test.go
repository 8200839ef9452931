package brainc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/ir"
)

func smallNet(t *testing.T) *ir.Network {
	t.Helper()
	net, err := Load("cuba")
	require.NoError(t, err)
	net.Duration = 300
	return net
}

// A cancelled context stops a run at the first call boundary with what it
// recorded; the next Run goes on from there, and the whole equals one
// uninterrupted run.
func TestCancelledRunGoesOn(t *testing.T) {
	tier.Slow(t)
	whole, err := Run(context.Background(), smallNet(t), Options{Backend: "cpu"})
	require.NoError(t, err)
	require.Equal(t, 3000, whole.Steps)

	sim, err := New(smallNet(t), Options{Backend: "cpu"})
	require.NoError(t, err)
	defer sim.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = sim.Run(ctx, 300)
	require.ErrorIs(t, err, context.Canceled)
	part := sim.Result()
	require.Greater(t, part.Steps, 0)
	require.Less(t, part.Steps, 3000)
	require.NoError(t, sim.Run(context.Background(), float64(3000-part.Steps)*0.1))
	rest := sim.Result()
	assert.Equal(t, 3000, rest.Steps)
	assert.Equal(t, whole.Spikes, rest.Spikes)
	assert.Less(t, len(part.Spikes["E"].Times), len(rest.Spikes["E"].Times), "Result is a copy")

	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, part.Save(dir))
	sum, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	assert.Contains(t, string(sum), `"complete": false`)
	for _, f := range []string{"spikes.npz", "raster.png"} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.NoError(t, err, f)
	}
}

func TestErrors(t *testing.T) {
	_, err := New(nil, Options{})
	assert.EqualError(t, err, "brainc: nil network")
	_, err = Load("no/such.yaml")
	assert.True(t, errors.Is(err, os.ErrNotExist))
	_, err = Load("nosuchmodel")
	assert.ErrorContains(t, err, `"nosuchmodel"`)
	net := smallNet(t)
	net.Populations[0].Model = "Lif"
	_, err = New(net, Options{Backend: "cpu"})
	assert.ErrorContains(t, err, "populations.E")
	sim, err := New(smallNet(t), Options{Backend: "cpu"})
	require.NoError(t, err)
	defer sim.Close()
	assert.EqualError(t, sim.Run(context.Background(), 0.01),
		"brainc: Run: duration 0.01 ms is 0 steps of 0.1 ms; expected 1 to 1073741824 steps in all (0 run so far)")
	_, err = New(smallNet(t), Options{Backend: "nosuch"})
	assert.Error(t, err)
	_, err = New(smallNet(t), Options{Backend: "cpu", Devices: -2})
	assert.EqualError(t, err, "brainc: Options.Devices: must be between 1 and 1024, got -2")
	_, err = New(smallNet(t), Options{Backend: "go", Devices: 2})
	assert.ErrorContains(t, err, "brainc: Options.Devices: 2 asked for, the go backend has 1")
}

// Options.Devices splits the run across virtual CPU devices: the spikes of
// one device.
func TestRunAcrossDevices(t *testing.T) {
	tier.Slow(t)
	net := smallNet(t)
	net.Duration = 50
	one, err := Run(context.Background(), net, Options{Backend: "cpu"})
	require.NoError(t, err)
	net = smallNet(t)
	net.Duration = 50
	split, err := Run(context.Background(), net, Options{Backend: "cpu", Devices: 3})
	require.NoError(t, err)
	require.NotEmpty(t, one.Spikes["E"].Times)
	assert.Equal(t, one.Spikes, split.Spikes)
}

// The README's Go program builds.
func TestREADMEProgramBuilds(t *testing.T) {
	tier.Slow(t)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "## Go API")
	require.True(t, ok, "README has a Go API section")
	_, code, ok := strings.Cut(after, "```go\n")
	require.True(t, ok)
	code, _, ok = strings.Cut(code, "```")
	require.True(t, ok)
	dir, err := os.MkdirTemp(".", "_readme")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644))
	out, err := exec.Command("go", "build", "-o", os.DevNull, "./"+dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// Run after Close used to panic (index out of range in
// jit.(*Runner).startLoop); now it is an error, Close is idempotent and the
// result recorded before stays readable.
func TestRunAfterClose(t *testing.T) {
	sim, err := New(smallNet(t), Options{Backend: "cpu"})
	require.NoError(t, err)
	require.NoError(t, sim.Run(context.Background(), 1))
	sim.Close()
	sim.Close()
	assert.EqualError(t, sim.Run(context.Background(), 1), "brainc: Run on a closed Sim")
	assert.Equal(t, 10, sim.Result().Steps)
}

// Close during Run (from another goroutine) used to crash the process with
// a segfault; now the Run stops at its next call boundary with what it
// recorded, and Close returns after it.
func TestCloseDuringRun(t *testing.T) {
	sim, err := New(smallNet(t), Options{Backend: "cpu"})
	require.NoError(t, err)
	require.NoError(t, sim.Run(context.Background(), 1)) // compiled
	errs := make(chan error, 1)
	go func() { errs <- sim.Run(context.Background(), 1e6) }()
	require.Eventually(t, func() bool { return sim.Result().Steps > 10 }, 60*time.Second, time.Millisecond)
	sim.Close()
	sim.mu.Lock()
	running := sim.running
	sim.mu.Unlock()
	require.False(t, running, "Close returned before the Run it stopped")
	steps := sim.Result().Steps
	select { // the Run has ended: its goroutine hands its error over at once
	case err := <-errs:
		assert.EqualError(t, err, "brainc: the Sim was closed during Run")
	case <-time.After(time.Minute):
		t.Fatal("the stopped Run never returned")
	}
	assert.Equal(t, steps, sim.Result().Steps, "no step after Close")
	assert.Greater(t, steps, 10)
	assert.Less(t, steps, 10_000_010)
	assert.EqualError(t, sim.Run(context.Background(), 1), "brainc: Run on a closed Sim")

	// From the Progress function, inside the Run: Close returns at once.
	var in *Sim
	in, err = New(smallNet(t), Options{Backend: "cpu", Progress: func(done, total int) { in.Close() }})
	require.NoError(t, err)
	err = in.Run(context.Background(), 1e6)
	assert.EqualError(t, err, "brainc: the Sim was closed during Run")
	assert.Greater(t, in.Result().Steps, 0)
	assert.EqualError(t, in.Run(context.Background(), 1), "brainc: Run on a closed Sim")
}

// New keeps its own copy of the network: setting net.Dt = 5 after New used
// to run 2 steps of the 0.1 ms program without an error.
func TestNewCopiesTheNetwork(t *testing.T) {
	net := smallNet(t)
	net.Monitors.Spikes = []string{"E"}
	sim, err := New(net, Options{Backend: "cpu"})
	require.NoError(t, err)
	defer sim.Close()
	net.Dt = 5
	net.Populations[0].Size = 1
	net.Monitors.Spikes[0] = "nosuch"
	require.NoError(t, sim.Run(context.Background(), 10))
	res := sim.Result()
	assert.Equal(t, 100, res.Steps, "10 ms of 0.1 ms steps")
	assert.Equal(t, 0.1, res.Dt)
	assert.Contains(t, res.Spikes, "E")
	assert.Equal(t, smallNet(t).Populations[0].Size, res.Spikes["E"].Size)
}

// A zero Sim, a nil Sim and a nil context give errors, not panics.
func TestZeroSimAndNilContext(t *testing.T) {
	var zero Sim
	assert.EqualError(t, zero.Run(context.Background(), 1), "brainc: Run on a zero Sim: make one with New")
	assert.Equal(t, 0, zero.Result().Steps)
	assert.EqualError(t, zero.Result().Save(t.TempDir()), "brainc: Save of an empty Result (one not made by Run or Sim.Result)")
	zero.Close()
	var none *Sim
	assert.EqualError(t, none.Run(context.Background(), 1), "brainc: Run on a zero Sim: make one with New")
	none.Close()
	sim, err := New(smallNet(t), Options{Backend: "cpu"})
	require.NoError(t, err)
	defer sim.Close()
	//lint:ignore SA1012 a nil context is what is tested
	assert.EqualError(t, sim.Run(nil, 1), "brainc: Run: nil context (use context.Background())") //nolint:staticcheck
	_, err = Run(nil, smallNet(t), Options{Backend: "cpu"})                                      //nolint:staticcheck
	assert.EqualError(t, err, "brainc: Run: nil context (use context.Background())")
	assert.EqualError(t, (&Result{}).Save(t.TempDir()), "brainc: Save of an empty Result (one not made by Run or Sim.Result)")
}

// A Sim writes checkpoints as brainc run does (the Go API and the CLI run
// through one driver), and a Sim that resumes one goes on to the spikes of
// a run never stopped; bad checkpoint options name the field.
func TestSimCheckpointsAndResume(t *testing.T) {
	tier.Slow(t)
	net := smallNet(t)
	net.Monitors.Spikes = []string{"E"}
	ref, err := Run(context.Background(), net, Options{Backend: "cpu"})
	require.NoError(t, err)

	dir := filepath.Join(t.TempDir(), "ck")
	sim, err := New(net, Options{Backend: "cpu", CheckpointEvery: 50, CheckpointDir: dir})
	require.NoError(t, err)
	require.NoError(t, sim.Run(context.Background(), 120))
	sim.Close()
	again, err := New(net, Options{Backend: "cpu", CheckpointEvery: 50, CheckpointDir: dir})
	require.NoError(t, err, "the directory is free again after Close")
	again.Close()

	resumed, err := New(net, Options{Backend: "cpu", Resume: dir})
	require.NoError(t, err)
	defer resumed.Close()
	at := resumed.Result().Steps
	require.True(t, at >= 500 && at <= 1200, "the last checkpoint is from step 500 to the 1200 run, got %d", at)
	require.NoError(t, resumed.Run(context.Background(), float64(3000-at)*net.Dt))
	got := resumed.Result()
	assert.Equal(t, 3000, got.Steps)
	assert.Equal(t, ref.Spikes["E"].Times, got.Spikes["E"].Times)
	assert.Equal(t, ref.Spikes["E"].Indices, got.Spikes["E"].Indices)

	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{CheckpointEvery: 0.01, CheckpointDir: dir}, `brainc: Options.CheckpointEvery: expected a time of at least dt (0.1 ms) with a CheckpointDir, got 0.01 ms and "` + dir + `"`},
		{Options{CheckpointEvery: 10}, `brainc: Options.CheckpointEvery: expected a time of at least dt (0.1 ms) with a CheckpointDir, got 10 ms and ""`},
		{Options{Resume: filepath.Join(dir, "nope")}, "brainc: Options.Resume: "},
	} {
		tc.opts.Backend = "cpu"
		_, err := New(net, tc.opts)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}
