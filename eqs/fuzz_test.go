package eqs

import "testing"

// FuzzParseNeuron: no model text makes the reader panic; what it accepts
// has a state and a key.
func FuzzParseNeuron(f *testing.F) {
	f.Add(izhikevich, "v >= 30 mV", "v = c; u += d", "0 ms", "0.02/ms")
	f.Add("dv/dt = (I_leak + R*I)/tau + sigma*xi/sqrt(tau) : mV (unless refractory)\nI_leak = v_rest - v : mV", "v > -50 mV", "v = -60 mV", "5 ms", "1")
	f.Add("dg/dt = -g/tau : 1", "", "", "", "5 ms")
	f.Add("dv/dt = exprel(v/mV)*where(v > 0 mV, 1, 2)*mV/ms**2**0.5 : mV", "not (v < 1 mV) and v > 0 mV", "v *= 2", "", "")
	f.Fuzz(func(t *testing.T, equations, threshold, reset, refractory, a string) {
		src := Source{Equations: equations, Threshold: threshold, Reset: reset, Refractory: refractory,
			Params: []ParamSource{{"a", a}, {"b", "0.2/ms"}, {"c", "-65 mV"}, {"d", "8 mV/ms"}}}
		n, err := ParseNeuron(src)
		if err == nil && (len(n.States) == 0 || n.Key == "") {
			t.Fatalf("accepted a model without states or key: %+v", n)
		}
		_, _ = ParseSynapse(SynapseSource{Equations: equations, OnPre: reset, Params: src.Params})
		_, _ = ParsePlasticity(PlasticitySource{Equations: equations, OnPre: reset, OnPost: threshold, Params: src.Params})
		_, _ = ParseOutput(OutputSource{Current: threshold, Params: src.Params}, Dimensionless)
		_, _, _ = ParseQuantity(refractory)
	})
}
