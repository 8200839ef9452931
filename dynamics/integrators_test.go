package dynamics

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/pjrt"
)

// cpu opens the XLA CPU plugin, failing (not skipping) when it is missing.
func cpu(t testing.TB) *pjrt.Backend {
	t.Helper()
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	return b
}

// f(x) = −x/τ + c with c = 3·x0 captured from the graph: exponential Euler
// takes A = −1/τ (the captured term is held), Euler takes the tangent.
func TestIntegrators(t *testing.T) {
	b := cpu(t)
	const tau, dt, x0 = 10.0, 1.0, 2.0
	fx0 := -x0/tau + 3*x0
	tests := []struct {
		name  string
		integ Integrator
		want  float64
	}{
		{"exp_euler", ExpEuler, x0 + (math.Exp(-dt/tau)-1)/(-1/tau)*fx0},
		{"euler", Euler, x0 + dt*fx0},
	}
	for _, tc := range tests {
		e, err := NewExec(b, func(x *Node) *Node {
			captured := MulScalar(x, 3)
			return tc.integ(func(v *Node) *Node { return Add(DivScalar(Neg(v), tau), captured) }, x, dt)
		})
		require.NoError(t, err)
		out, err := e.Exec([]float64{x0})
		require.NoError(t, err)
		assert.InDelta(t, tc.want, out[0].Value().([]float64)[0], 1e-12, tc.name)
	}
	// A zero linear part reduces exponential Euler to Euler.
	e, err := NewExec(b, func(x *Node) *Node {
		return ExpEuler(func(v *Node) *Node { return AddScalar(ZerosLike(v), 4) }, x, 0.5)
	})
	require.NoError(t, err)
	out, err := e.Exec([]float64{1})
	require.NoError(t, err)
	assert.InDelta(t, 3.0, out[0].Value().([]float64)[0], 1e-12)
	_, err = IntegratorByName("rk9")
	assert.EqualError(t, err, `unknown integrator "rk9": expected one of ["euler" "exp_euler"]`)
}
