package bptt

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

// applyNet has a projection of per-synapse weights (in2h: 20×32 synapses),
// one of one weight (h2out) and a population with a constant input.
func applyNet(t *testing.T, conn string) *ir.Network {
	t.Helper()
	spec := strings.Replace(randmanNet, "conn: {fixed_prob: 1}", "conn: "+conn, 1)
	spec = strings.Replace(spec, "weight: normal(0, 1)", "weight: 0.5", 1)
	spec = strings.Replace(spec, "size: 32\n", "size: 32\n    input: 0.1\n", 1)
	net, err := netspec.Parse([]byte(spec), "apply.yaml")
	require.NoError(t, err)
	return net
}

// npzOf writes arrays (name, array pairs) to a temporary .npz.
func npzOf(t *testing.T, pairs ...any) string {
	t.Helper()
	var names []string
	var arrays []npyio.Array
	for i := 0; i < len(pairs); i += 2 {
		names = append(names, pairs[i].(string))
		arrays = append(arrays, pairs[i+1].(npyio.Array))
	}
	path := filepath.Join(t.TempDir(), "params.npz")
	require.NoError(t, npyio.WriteNPZ(path, names, arrays))
	return path
}

// synapses are in2h's 640 synapses (all pairs) in the connectivity's
// order, with weights w(k).
func synapses(w func(k int) float64) (pre, post []int32, weight []float64) {
	for i := range 20 {
		for j := range 32 {
			pre, post = append(pre, int32(i)), append(post, int32(j))
			weight = append(weight, w(len(weight)))
		}
	}
	return
}

// Trained values laid onto a network are the values its lowered program
// holds: per-synapse weights in synapse order, one weight, one input per
// neuron.
func TestApplyParams(t *testing.T) {
	pre, post, w := synapses(func(k int) float64 { return float64(k%7) - 3 })
	input, tau := make([]float64, 32), make([]float64, 32)
	input[5] = 0.25
	for i := range tau {
		tau[i] = 5 + float64(i)/4
	}
	path := npzOf(t, "in2h.weight", npyio.Array{Shape: []int{640}, Data: w},
		"in2h.pre", npyio.Array{Shape: []int{640}, Data: pre}, "in2h.post", npyio.Array{Shape: []int{640}, Data: post},
		"h2out.weight", npyio.Array{Shape: []int{}, Data: []float64{-1.5}},
		"H.input", npyio.Array{Shape: []int{32}, Data: input},
		"H.tau", npyio.Array{Shape: []int{32}, Data: tau})
	net := applyNet(t, "{fixed_prob: 1}")
	require.NoError(t, ApplyParams(net, path))
	net.Precision = ir.PrecisionFloat64
	p, err := lower.Build(net, lower.OptionsFor(net, lower.Choices{}))
	require.NoError(t, err)
	values := map[string][]float64{}
	for _, c := range p.Consts {
		if c.DType == p.DType {
			values[c.Name] = flat64(c.Value)
		}
	}
	require.Equal(t, w, values["in2h.weight"])
	require.Equal(t, []float64{-1.5}, values["h2out.weight"])
	require.Equal(t, input, values["H.input"])
	h := p.Pops[slices.IndexFunc(p.Pops, func(q *lower.Population) bool { return q.Name == "H" })]
	require.Equal(t, tau, values[h.Block.Name+".param.tau"][h.Offset:h.Offset+32])
}

// Every file that does not fit the network is refused with the array
// that does not and why, leaving the network as it was; weights laid onto
// other connectivity are refused when lowered, naming the first synapse
// that differs.
func TestApplyParamsErrors(t *testing.T) {
	pre, post, w := synapses(func(k int) float64 { return 1 })
	weight := npyio.Array{Shape: []int{640}, Data: w}
	lists := []any{"in2h.pre", npyio.Array{Shape: []int{640}, Data: pre}, "in2h.post", npyio.Array{Shape: []int{640}, Data: post}}
	nan := append([]float64{math.NaN()}, w[1:]...)
	for _, c := range []struct {
		name  string
		pairs []any
		want  string
	}{
		{"unknown owner", []any{"E2I.weight", weight}, `"E2I.weight": network randman-small has no projection or population "E2I"`},
		{"unknown value", []any{"in2h.delay", weight}, `"in2h.delay" is not a value brainc run takes from a training`},
		{"lists alone", lists, "in2h.post without in2h.weight"},
		{"one weight for many", []any{"in2h.weight", npyio.Array{Shape: []int{}, Data: []float64{1}}}, "in2h.weight is one weight, but projection in2h has a weight per synapse"},
		{"not finite", []any{"in2h.weight", npyio.Array{Shape: []int{640}, Data: nan}}, "in2h.weight: value 0 is NaN"},
		{"matrix", []any{"in2h.weight", npyio.Array{Shape: []int{20, 32}, Data: w}}, "in2h.weight has shape [20 32]"},
		{"short lists", append([]any{"in2h.weight", weight, "in2h.pre", npyio.Array{Shape: []int{3}, Data: pre[:3]}}, lists[2:]...), "in2h.pre and in2h.post must be two int32 arrays of 640 synapses"},
		{"input shape", []any{"H.input", npyio.Array{Shape: []int{31}, Data: w[:31]}}, "H.input has shape [31], expected [32]"},
		{"parameter shape", []any{"H.tau", npyio.Array{Shape: []int{}, Data: w[:1]}}, "H.tau has shape [], expected [32] (one tau per neuron of H)"},
		{"no constant input", []any{"Out.input", npyio.Array{Shape: []int{3}, Data: w[:3]}}, "Out.input: population Out has no constant input"},
	} {
		t.Run(c.name, func(t *testing.T) {
			net := applyNet(t, "{fixed_prob: 1}")
			before := net.Clone()
			err := ApplyParams(net, npzOf(t, c.pairs...))
			require.ErrorContains(t, err, c.want)
			require.True(t, reflect.DeepEqual(before, net), "a refused file changed the network")
		})
	}
	// Lowering checks the synapses.
	path := npzOf(t, append([]any{"in2h.weight", weight}, lists...)...)
	for conn, want := range map[string]string{
		"{fixed_prob: 0.5}":     "weight: 640 weights given for ",
		"{fixed_in_degree: 10}": "weight: 640 weights given for 320 synapses: they belong to other connectivity",
	} {
		net := applyNet(t, conn)
		require.NoError(t, ApplyParams(net, path), conn)
		_, err := lower.Build(net, lower.OptionsFor(net, lower.Choices{}))
		require.ErrorContains(t, err, want, conn)
	}
	post[7], post[8] = post[8], post[7] // the synapses of another network
	net := applyNet(t, "{fixed_prob: 1}")
	require.NoError(t, ApplyParams(net, npzOf(t, "in2h.weight", weight, "in2h.pre", npyio.Array{Shape: []int{640}, Data: pre}, "in2h.post", npyio.Array{Shape: []int{640}, Data: post})))
	_, err := lower.Build(net, lower.OptionsFor(net, lower.Choices{}))
	require.ErrorContains(t, err, "synapse 7 connects neuron 0 to neuron 7, but the weights given are for a synapse from neuron 0 to neuron 8")
}
