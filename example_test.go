package brainc_test

import (
	"context"
	"fmt"
	"log"

	"github.com/brainc/brainc"
	"github.com/brainc/brainc/ir"
)

// oneNeuron is a leaky integrate-and-fire neuron driven above threshold:
// it reaches threshold after 20·ln 2 = 13.86 ms and then fires every
// 18.9 ms (5 ms refractory).
func oneNeuron() *ir.Network {
	return &ir.Network{
		Name: "one", Dt: 0.1, Duration: 100,
		Populations: []*ir.Population{{
			Name: "N", Size: 1, Model: "LifRef",
			Params: map[string]float64{"V_rest": -60, "V_th": -50, "V_reset": -60, "tau": 20, "tau_ref": 5},
			Init:   map[string]ir.Init{"V": {Kind: ir.InitConst, A: -60}},
			Input:  ir.Input{Kind: "constant", Value: 20},
		}},
		Monitors: ir.Monitors{Spikes: []string{"N"}, Traces: []ir.Trace{{Pop: "N", Var: "V", Indices: []int{0}}}},
	}
}

// A network built in Go, run for its duration.
func Example() {
	res, err := brainc.Run(context.Background(), oneNeuron(), brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	n := res.Spikes["N"]
	fmt.Printf("%d spikes at %.1f ms\n", len(n.Times), n.Times)
	fmt.Printf("V after the first step: %.4f mV\n", res.Traces[0].Values[0])
	// Output:
	// 5 spikes at [13.8 32.7 51.6 70.5 89.4] ms
	// V after the first step: -59.9002 mV
}

// A built-in network (or a spec file's path), run for 100 ms; its results
// saved as brainc run saves them.
func ExampleLoad() {
	net, err := brainc.Load("cuba")
	if err != nil {
		log.Fatal(err)
	}
	net.Duration = 100
	res, err := brainc.Run(context.Background(), net, brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Steps, "steps;", res.Spikes["E"].Size, "E neurons,", res.Spikes["I"].Size, "I neurons")
	// res.Save("out") writes spikes.npz, traces.npz, summary.json and raster.png.
	// Output: 1000 steps; 3200 E neurons, 800 I neurons
}

// A simulation runs on from where it stopped: two runs of 50 ms record
// what one of 100 ms does.
func ExampleSim_Run() {
	sim, err := brainc.New(oneNeuron(), brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	for range 2 {
		if err := sim.Run(context.Background(), 50); err != nil {
			log.Fatal(err)
		}
		res := sim.Result()
		fmt.Printf("%d steps: spikes at %.1f ms\n", res.Steps, res.Spikes["N"].Times)
	}
	// Output:
	// 500 steps: spikes at [13.8 32.7] ms
	// 1000 steps: spikes at [13.8 32.7 51.6 70.5 89.4] ms
}
