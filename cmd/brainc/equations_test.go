package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// eqSpec writes a spec of one population given by equations, with the
// model's lines indented under it.
func eqSpec(t *testing.T, model string) string {
	t.Helper()
	spec := filepath.Join(t.TempDir(), "net.yaml")
	require.NoError(t, os.WriteFile(spec, []byte("populations:\n  E:\n    size: 2\n    model:\n"+model), 0o644))
	return spec
}

// A million nested parentheses or signs in an equation, a reset or a
// per-neuron value is one error naming the file's line, the field and the
// limit, in validate and run; a parameter making a constant division by
// zero is found by validate, naming its line.
func TestEquationReaderLimitsAndFaults(t *testing.T) {
	tier.Slow(t)
	const n = 1_000_000
	deep := strings.Repeat("(", n) + "2 - v" + strings.Repeat(")", n)
	for _, tt := range []struct {
		name, model, want string
	}{
		{"parentheses", "      equations: |\n        dv/dt = " + deep + "/(10*ms) : 1\n",
			":6: populations.E.model.equations: in \"dv/dt = ((((((((("},
		{"unary minus", "      equations: |\n        dv/dt = -v/(10*ms) : 1\n        x = " + strings.Repeat("-", n) + "v : 1\n",
			":7: populations.E.model.equations: in \"x = ------"},
		{"reset", "      equations: \"dv/dt = -v/(10*ms) : 1\"\n      threshold: v > 1\n      reset: v = " + deep + "\n",
			":7: populations.E.model.reset: in \"v = (((((("},
		{"per-neuron value", "      equations: \"dv/dt = -v/tau : 1\"\n      params: {tau: 10 ms}\n    params: {tau: \"" +
			strings.Repeat("-", n) + "i*ms\"}\n", ":7: populations.E.params.tau: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := eqSpec(t, tt.model)
			for _, cmd := range []string{"validate", "run"} {
				code, _, stderr := runCLI(cmd, spec, "--out", filepath.Join(t.TempDir(), "out"))
				if cmd == "validate" {
					code, _, stderr = runCLI(cmd, spec)
				}
				assert.Equal(t, 1, code, cmd)
				assert.Contains(t, stderr, spec+tt.want, cmd)
				assert.Contains(t, stderr, "nests deeper than 256 levels", cmd)
				assert.Less(t, len(stderr), 400, cmd)
			}
		})
	}
	for _, tt := range []struct {
		name, model, want string
	}{
		{"tau 0", "      equations: |\n        dv/dt = (2 - v)/tau : 1\n      params: {tau: 0 ms}\n",
			":6: populations.E.model.equations: in \"dv/dt = (2 - v)/tau : 1\": (2 - v)/tau divides by zero: tau is 0"},
		{"a population's tau 0", "      equations: \"dv/dt = (2 - v)/tau : 1\"\n      params: {tau: 10 ms}\n    params: {tau: 0 ms}\n",
			":7: populations.E.params: in \"dv/dt = (2 - v)/tau : 1\": (2 - v)/tau divides by zero: tau is 0"},
		{"reset by 0", "      equations: \"dv/dt = (2 - v)/(10*ms) : 1\"\n      threshold: v > 1\n      reset: v /= 0\n",
			":7: populations.E.model.reset: in \"v /= 0\": v /= 0 divides v by zero\n"},
		{"reset log(-1)", "      equations: \"dv/dt = (2 - v)/(10*ms) : 1\"\n      threshold: v > 1\n      reset: v = log(-1)\n",
			":7: populations.E.model.reset: in \"v = log(-1)\": log(-1) is NaN"},
		{"exponent wraps", "      equations: \"dv/dt = v*(mV*mV)**2**61/(10*ms) : 1\"\n",
			":5: populations.E.model.equations: in \"dv/dt = v*(mV*mV)**2**61/(10*ms) : 1\": mV*mV**2**61: mV*mV has dimension m^4 kg^2 s^-6 A^-2: its exponent 2.305843009213694e+18 is outside ±127"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI("validate", eqSpec(t, tt.model))
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

// A reset whose expression has no finite value at a spike stops the run
// naming the reset, not only "the integration diverged".
func TestNonFiniteResetNamed(t *testing.T) {
	spec := eqSpec(t, "      equations: |\n        dv/dt = (2 - v)/(10*ms) : 1\n      threshold: v > 1\n      reset: v = log(v - 1.5)\n")
	code, _, stderr := runCLI("run", spec, "--duration", "20 ms", "--backend", "cpu", "--quiet", "--out", filepath.Join(t.TempDir(), "out"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "brainc run: E.v of neuron 0 is NaN after step 70 (t = 7 ms): the reset \"v = log(v - 1.5)\" (reset line 1) "+
		"has no finite value there, or the integration diverged (then try a smaller dt (now 0.1 ms) or another integrator (E uses exp_euler))")
}
