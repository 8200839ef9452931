package driver

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/results"
)

// coba is the built-in COBA network lowered for ms of model time, and the
// CPU backend (released at the end of the test).
func coba(t *testing.T, ms float64) (*pjrt.Backend, *lower.Program) {
	t.Helper()
	net, err := models.Load("coba")
	require.NoError(t, err)
	net.Duration = ms
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	t.Cleanup(b.Finalize)
	return b, p
}

// A checkpoint that cannot be written (here: its directory would be under
// a plain file, as a full disk or an unwritable directory would refuse it)
// is reported at once and at the end, but the run goes on to its end and
// its recording is whole.
func TestCheckpointFailureKeepsTheRun(t *testing.T) {
	tier.Slow(t)
	b, p := coba(t, 20)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	var told []*results.CheckpointError
	steps := 200
	rec, _, err := Simulate(b, p, steps, Options{CheckpointEvery: 50, CheckpointDir: filepath.Join(file, "ck"),
		CheckpointFailed: func(e *results.CheckpointError) { told = append(told, e) }})
	var ck *results.CheckpointError
	require.True(t, errors.As(err, &ck), "got %v", err)
	assert.True(t, ck.Step >= 50 && ck.Step < steps, "the first checkpoint is due at a call boundary from step 50, got %d", ck.Step)
	assert.Regexp(t, `^checkpoint at step \d+ \(t = [0-9.]+ ms\) into `+regexp.QuoteMeta(file+"/ck failed: creating output directory "+file+"/ck: mkdir "+file+": not a directory")+`$`, err.Error())
	require.Len(t, told, 1, "told once; no further checkpoints are tried")
	assert.Equal(t, steps, rec.Steps, "the run reached its end")
	ref, _, err := Simulate(b, p, steps, Options{})
	require.NoError(t, err)
	for i, s := range rec.Spikes {
		assert.Equal(t, ref.Spikes[i].Times, s.Times, "the spikes of %s are those of a run without checkpoints", s.Pop)
	}
}

// A run advanced in pieces (as brainc.Sim does between Run calls, stopping
// one piece early through after) records the spikes and traces of one
// Simulate of the whole length, and Stop ends Simulate at a call boundary
// with what was recorded up to there.
func TestAdvanceInPiecesEqualsOneRun(t *testing.T) {
	tier.Slow(t)
	b, p := coba(t, 300)
	const steps = 3000
	whole, _, err := Simulate(b, p, steps, Options{})
	require.NoError(t, err)

	r, err := Start(b, p, Options{Jit: jit.Options{Engine: jit.EngineLoop}})
	require.NoError(t, err)
	defer r.Close()
	halt := errors.New("halt")
	err = r.Advance(steps, func(recorded int) error {
		if recorded >= 100 {
			return halt
		}
		return nil
	})
	require.ErrorIs(t, err, halt)
	first := r.Steps()
	require.True(t, first >= 100 && first < steps, "stopped at a call boundary from step 100, got %d", first)
	require.NoError(t, r.Advance(steps-first, nil))
	got := r.Recorded()
	assert.Equal(t, steps, got.Steps)
	for i, s := range got.Spikes {
		assert.Equal(t, whole.Spikes[i].Times, s.Times, "%s", s.Pop)
		assert.Equal(t, whole.Spikes[i].Indices, s.Indices, "%s", s.Pop)
	}
	for i, tr := range got.Traces {
		assert.Equal(t, whole.Traces[i].Values, tr.Values, "%s.%s", tr.Pop, tr.Var)
	}

	stop := make(chan struct{})
	close(stop)
	rec, _, err := Simulate(b, p, steps, Options{Stop: stop})
	require.ErrorIs(t, err, ErrStopped)
	assert.Less(t, rec.Steps, steps)
	assert.Greater(t, rec.Steps, 0)
}
