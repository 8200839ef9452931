package results

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
)

// A checkpoint that cannot be written (here: its directory would be under
// a plain file, as a full disk or an unwritable directory would refuse it)
// is reported at once and at the end, but the run goes on to its end and
// its recording is whole.
func TestCheckpointFailureKeepsTheRun(t *testing.T) {
	tier.Slow(t)
	net, err := models.Load("coba")
	require.NoError(t, err)
	net.Duration = 20
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err)
	defer b.Finalize()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	var told []*CheckpointError
	steps := 200
	rec, _, err := SimulateWith(b, p, steps, jit.Options{}, SimOptions{CheckpointEvery: 50, CheckpointDir: filepath.Join(file, "ck"),
		CheckpointFailed: func(e *CheckpointError) { told = append(told, e) }})
	var ck *CheckpointError
	require.True(t, errors.As(err, &ck), "got %v", err)
	assert.True(t, ck.Step >= 50 && ck.Step < steps, "the first checkpoint is due at a call boundary from step 50, got %d", ck.Step)
	assert.Regexp(t, `^checkpoint at step \d+ \(t = [0-9.]+ ms\) into `+regexp.QuoteMeta(file+"/ck failed: creating output directory "+file+"/ck: mkdir "+file+": not a directory")+`$`, err.Error())
	require.Len(t, told, 1, "told once; no further checkpoints are tried")
	assert.Equal(t, steps, rec.Steps, "the run reached its end")
	ref, _, err := SimulateWith(b, p, steps, jit.Options{}, SimOptions{})
	require.NoError(t, err)
	for i, s := range rec.Spikes {
		assert.Equal(t, ref.Spikes[i].Times, s.Times, "the spikes of %s are those of a run without checkpoints", s.Pop)
	}
}
