// Command closedloop clamps a population's firing rate with a controller
// that reads the rate and sets the input between runs of a brainc.Sim
// (docs/closed-loop.md):
//
//	go run ./docs/examples/closedloop -out closed-loop.png
//
// Every 10 ms it measures the excitatory population's rate over those
// 10 ms and moves the population's input by a proportional–integral step
// towards the target rate; it prints the rate before and after and draws
// rate and input over time.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"

	"github.com/brainc/brainc"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/plot"
)

// network is an E/I network of LIF neurons; E is driven by a constant
// input, which the controller sets.
const network = `
name: clamp
dt: 0.1 ms
seed: 5
populations:
  E:
    size: 200
    model: LifRef
    params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms}
    init: {V: uniform(-60 mV, -50 mV)}
    input: 11
  I:
    size: 50
    model: LifRef
    params: {V_rest: -60 mV, V_th: -50 mV, V_reset: -60 mV, tau: 10 ms, tau_ref: 2 ms}
    init: {V: uniform(-60 mV, -50 mV)}
projections:
  E2E: {pre: E, post: E, conn: {fixed_prob: 0.1}, weight: 0.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  E2I: {pre: E, post: I, conn: {fixed_prob: 0.1}, weight: 1.5, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
  I2E: {pre: I, post: E, conn: {fixed_prob: 0.2}, weight: -2, synapse: {Expon: {tau: 10 ms}}, output: CUBA}
monitors:
  spikes: [E, I]
`

func main() {
	out := flag.String("out", "closed-loop.png", "the plot of rate and input over time (PNG or SVG)")
	target := flag.Float64("target", 10, "the target rate of E (Hz)")
	flag.Parse()
	before, after, input, err := run(*out, *target)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("uncontrolled: %.1f Hz (input 11 mV)\n", before)
	fmt.Printf("controlled, last 300 ms: %.1f Hz (target %g Hz, input %.2f mV)\n", after, *target, input)
}

// run simulates 1 s, controlling E's rate from 330 ms on, and writes the
// plot to out; it returns E's mean rate before control, over the last
// 300 ms, and the last input.
func run(out string, target float64) (before, after, input float64, err error) {
	net, err := netspec.Parse([]byte(network), "clamp.yaml")
	if err != nil {
		return 0, 0, 0, err
	}
	sim, err := brainc.New(net, brainc.Options{})
	if err != nil {
		return 0, 0, 0, err
	}
	defer sim.Close()
	const window, windows = 10.0, 100 // ms, count: 1 s
	const tauRate = 50.0              // ms: the rate read is filtered over the network's oscillation
	const kp, ki = 0.005, 0.0004      // mV per Hz, mV per Hz·ms
	input = 11.0
	integral, seen, filtered := 0.0, 0, 0.0
	var t, rates, smooth, inputs []float64
	// Every 10 ms: read E's rate over the last piece, filter it, and from
	// 330 ms on move E's input towards the target.
	err = sim.RunEach(context.Background(), windows*window, window, func(now float64) error {
		spikes := sim.Result().Spikes["E"]
		rate := float64(len(spikes.Times)-seen) / 200 / (window / 1000)
		seen = len(spikes.Times)
		filtered += (rate - filtered) * (1 - math.Exp(-window/tauRate))
		t, rates, smooth, inputs = append(t, now), append(rates, rate), append(smooth, filtered), append(inputs, input)
		if len(rates) == windows/3 { // the first 330 ms without control
			before = mean(rates)
		}
		if len(rates) < windows/3 {
			return nil
		}
		e := target - filtered
		integral += e * window
		input = 11 + kp*e + ki*integral
		return sim.SetInput("E", []float64{input})
	})
	if err != nil {
		return 0, 0, 0, err
	}
	after = mean(rates[windows-30:])
	return before, after, input, plot.Curves(out, []plot.Panel{
		{Title: "E's rate, controlled from 330 ms", XLabel: "time (ms)", YLabel: "rate (Hz)", Lines: true,
			Series: []plot.Series{{Name: "E, per 10 ms", X: t, Y: rates}, {Name: "E, filtered (50 ms)", X: t, Y: smooth},
				{Name: "target", X: []float64{0, t[len(t)-1]}, Y: []float64{target, target}}}},
		{Title: "E's input", XLabel: "time (ms)", YLabel: "input (mV)", Lines: true,
			Series: []plot.Series{{Name: "input", X: t, Y: inputs}}},
	})
}

// mean is the mean of v.
func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
