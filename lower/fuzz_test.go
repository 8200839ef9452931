package lower

import (
	"os"
	"testing"

	"github.com/brainc/brainc/netspec"
)

// FuzzParseLower: a spec that parses also lowers, or fails with an error;
// nothing panics. Networks are kept small (≤ 2,000 neurons in all) because
// brainc has no memory estimate yet: a valid spec can ask for more memory
// than the machine has, which is not what this target looks for.
func FuzzParseLower(f *testing.F) {
	coba, err := os.ReadFile("../netspec/testdata/coba.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(coba)
	f.Add([]byte(spec))
	f.Add([]byte("name: d\nduration: 10 ms\npopulations:\n  A: {size: 10, model: LifRef}\nprojections:\n" +
		"  AA: {pre: A, post: A, conn: {fixed_prob: 0.5}, weight: 1, delay: 1e9 ms, synapse: Expon, output: CUBA}\n"))
	f.Add([]byte("name: s\nduration: 10 ms\npopulations:\n  S: {size: 2, model: SpikeTimes, spikes: {times: [1e300 ms, 1 ms], indices: [0, 1]}}\n"))
	f.Add([]byte("name: s\nduration: 10 ms\npopulations:\n  S: {size: 2, model: SpikeTimes, spikes: {times: [1e8 ms], indices: [0]}}\n" +
		"  N: {size: 3, model: LifRef}\nprojections:\n  SN: {pre: S, post: N, conn: {all_to_all: true}, weight: 1, synapse: Expon, output: CUBA, " +
		"delay: normal(1 ms, 100 ms), stdp: {A_plus: 0.1}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		net, err := netspec.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		total := 0
		for _, p := range net.Populations {
			total += p.Size
		}
		if total > 2000 {
			return
		}
		_, _ = Build(net, Options{})
	})
}
