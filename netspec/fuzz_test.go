package netspec

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse: no spec, however malformed, makes Parse panic or hang. The
// seeds are the reference spec and the hostile inputs of the reliability
// issue (huge numbers, deep nesting, bad units).
func FuzzParse(f *testing.F) {
	coba, err := os.ReadFile("testdata/coba.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(coba)
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(data, "fuzz.yaml")
	})
}

// fuzzSeeds are specs from the reliability issue's reproductions.
var fuzzSeeds = []string{
	"name: d\nduration: 10 ms\npopulations:\n  A: {size: 10, model: LifRef}\nprojections:\n" +
		"  AA: {pre: A, post: A, conn: {fixed_prob: 0.5}, weight: 1, delay: 1e9 ms, synapse: Expon, output: CUBA}\n",
	"name: s\nduration: 10 ms\npopulations:\n  S: {size: 2, model: SpikeTimes, spikes: {times: [1e300 ms, 1 ms], indices: [0, 1]}}\n",
	"name: s\nduration: 10 ms\npopulations:\n  S: {size: 2, model: SpikeTimes, spikes: {times: [1e8 ms], indices: [0]}}\n",
	"name: s\npopulations:\n  S: {size: 2147483648, model: LifRef}\n",
	"name: s\npopulations:\n  S: {size: 1000000000000, model: LifRef}\n",
	"name: s\nduration: 1e300 s\npopulations:\n  S: {size: 2, model: LifRef}\n",
	"name: s\ndt: 1e-9 ms\npopulations:\n  S: {size: 2, model: LifRef}\n",
	"name: x\npopulations: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n",
	"name: x\npopulations:\n  A: {size: 3, model: LifRef, params: {tau: 5 mV}}\n",
	"name: x\npopulations:\n  A: {size: 3, model: LifRef, input: {ou: {mean: 1, sigma: -1, tau: 0 ms}}}\n",
	"name: x\npopulations:\n  A: {size: 4, model: LifRef}\nprojections:\n  P: {pre: A, post: A, conn: {all_to_all: true}, weight: .nan, " +
		"synapse: Expon, output: CUBA, stp: {U: 0.5, form: tpm98}}\nmonitors: {spikes: [A, A], traces: {P.u: [0, 9]}}\n",
	"&a [*a]",
	"name: x\npopulations: {A: &p {size: 1, model: LifRef}, B: *p}\n",
}
