package hlo

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/pjrt"
)

// The kernels of one step of the built-in networks' time loops on the XLA
// CPU plugin, counted in the optimised HLO that XLA dumps: a change that
// adds kernels per step fails here (it costs about a microsecond each, every
// step). This package's tests run in their own process, so the dump flags
// reach XLA before anything else opens it.
func TestStepKernels(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu", CPUFlags: []string{"--xla_dump_to=" + dir, "--xla_dump_hlo_as_text"}})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	client, err := pjrt.Client(b.Backend)
	require.NoError(t, err)
	for _, tc := range []struct {
		model string
		most  int
	}{
		{"coba", 20},
		{"cuba", 20},
		{"decision", 25},
	} {
		net, err := models.Load(tc.model)
		require.NoError(t, err)
		prog, err := lower.Build(net, lower.Options{})
		require.NoError(t, err)
		name := tc.model + "_c16"
		lp, err := jit.NewLoopProgram(b.Backend, prog, name, 16)
		require.NoError(t, err)
		exe, err := client.Compile().WithStableHLO([]byte(lp.Text)).Done()
		require.NoError(t, err)
		require.NoError(t, exe.Destroy())
		text, err := DumpedModule(dir, name)
		require.NoError(t, err, "XLA dumped nothing: was the plugin opened before this test set its flags?")
		l, err := WhileLoop(text)
		require.NoError(t, err)
		t.Logf("%s: %d kernels per step", tc.model, l.Count())
		require.LessOrEqual(t, l.Count(), tc.most, "%s: kernels per step:\n%s", tc.model, l)
	}
	_ = os.RemoveAll(dir)
}
