package emit

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// Time-varying inputs, parsed from a spec and evaluated in the graph at the
// start of each step, equal their formulas.
func TestInputCurrents(t *testing.T) {
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	const dt = 0.5
	tests := []struct {
		spec string
		want func(t float64) float64
	}{
		{"{constant: 2.5}", func(float64) float64 { return 2.5 }},
		{"{ramp: {from: 1, to: 5, start: 10 ms, end: 30 ms}}", func(t float64) float64 {
			return 1 + 4*math.Min(math.Max((t-10)/20, 0), 1)
		}},
		{"{sinusoid: {amplitude: 3, frequency: 20 Hz, offset: 1, phase: 0.5}}", func(t float64) float64 {
			return 1 + 3*math.Sin(2*math.Pi*20*t/1000+0.5)
		}},
		{"{section: {values: [0, 7, -2], durations: [5 ms, 10 ms, 2.5 ms]}}", func(t float64) float64 {
			switch {
			case t < 5:
				return 0
			case t < 15:
				return 7
			case t < 17.5:
				return -2
			}
			return 0
		}},
	}
	for _, tc := range tests {
		net, err := netspec.Parse([]byte("populations:\n  P: {size: 1, model: LifRef, input: "+tc.spec+"}\n"), "t.yaml")
		require.NoError(t, err, tc.spec)
		in := net.Populations[0].Input
		e, err := NewExec(b, func(idx *Node) *Node { return inputCurrent(in, idx, dt, dtypes.Float64) })
		require.NoError(t, err)
		for i := int32(0); i < 80; i++ {
			out, err := e.Exec(i)
			require.NoError(t, err)
			assert.InDelta(t, tc.want(float64(i)*dt), out[0].Value().(float64), 1e-9, "%s at step %d", tc.spec, i)
		}
	}
}

// Body refuses a signature laid out for another program.
func TestBodyRefusesOtherSignature(t *testing.T) {
	build := func() *lower.Program {
		net, err := netspec.Parse([]byte("populations:\n  P: {size: 4, model: LifRef}\nmonitors: {spikes: [P]}\n"), "t.yaml")
		require.NoError(t, err)
		p, err := lower.Build(net, lower.Options{})
		require.NoError(t, err)
		return p
	}
	p, other := build(), build()
	sig, err := signature.ForLoop(other, 4, signature.Lowering{})
	require.NoError(t, err)
	assert.PanicsWithValue(t, "emit: Body: the signature lays out another program", func() { Body(p, sig) })
	_, err = PreFn(p, sig, signature.PreOp{Name: "fan P", Kind: signature.PreFan, Block: p.Blocks[0], Devices: 1})
	assert.EqualError(t, err, "emit: fan P is a whole table: a custom call precomputes it, not a composed function")
}
