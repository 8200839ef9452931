package brainc

import (
	"context"
	"fmt"

	"github.com/brainc/brainc/bptt"
	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/learn"
)

// TrainOptions configure Train.
type TrainOptions struct {
	// Backend is "cpu", "cuda", "go" or a PJRT plugin path; "" chooses
	// automatically, as Options.Backend does.
	Backend string
	// OnBatch, when set, is called after every training batch with the
	// epoch (from 1), the batches done in it, the epoch's batches and the
	// mean loss so far in the epoch.
	OnBatch func(epoch, done, batches int, loss float64)
	// OnEpoch, when set, is called after every epoch with its metrics.
	OnEpoch func(learn.Epoch)
}

// Train trains a spiking classifier (learn.Config: inputs → recurrent LIF
// hidden layer → leaky readout, BPTT with a surrogate gradient) on trainSet,
// evaluating on testSet after every epoch, and returns the trainer (its
// Evaluate, Predict and Save use the trained parameters) and every epoch's
// metrics. Cancelling ctx stops training between two batches: the epochs
// completed and ctx's error are returned with the trainer.
//
// A backend is opened once per process and shared by simulations and
// training. Opening it for training sets learn.CPUFlags on the XLA CPU
// plugin (XLA's fusion pass off: backward passes ~15× faster, simulations
// slower); XLA reads its flags once per process, so whichever opens the
// plugin first sets them for both (the same results either way). A program
// that mostly simulates should train in a process of its own.
func Train(ctx context.Context, c learn.Config, trainSet, testSet *dataset.Set, opts TrainOptions) (*learn.Trainer, []learn.Epoch, error) {
	if trainSet == nil || testSet == nil {
		return nil, nil, fmt.Errorf("brainc: Train needs a training and a test set")
	}
	b, err := backend(opts.Backend, "TrainOptions.Backend", learn.CPUFlags, 1)
	if err != nil {
		return nil, nil, err
	}
	tr, err := learn.NewTrainer(b.Backend, c)
	if err != nil {
		return nil, nil, err
	}
	tr.OnBatch = opts.OnBatch
	log, err := tr.FitContext(ctx, trainSet, testSet, opts.OnEpoch)
	return tr, log, err
}

// NetworkTrainOptions configure TrainNetwork.
type NetworkTrainOptions struct {
	// Backend is "cpu", "cuda", "go" or a PJRT plugin path; "" chooses
	// automatically, as Options.Backend does.
	Backend string
	// Epochs is the number of passes over the training set.
	Epochs int
	// Seed orders the batches of each epoch.
	Seed uint64
	// OnEpoch, when set, is called after every epoch with its metrics.
	OnEpoch func(bptt.Epoch)
}

// TrainNetwork trains any network (a spec's or one built in Go) through
// the time loop the simulator runs: gradients by back-propagation through
// time inside one executable, with the state stored every few steps
// (package bptt). trainSet's spikes drive c.Input, c.Readout's
// accumulated value is classified against the labels, and Adam trains
// c.Params; steps is the number of time steps of each sample (of net.Dt;
// the sets' spike times are binned to them). It evaluates on testSet after
// every epoch and returns the trainer (its Evaluate, Params and Save use
// the trained values) and every epoch's metrics. Cancelling ctx stops
// training between two batches: the epochs completed and ctx's error are
// returned with the trainer.
func TrainNetwork(ctx context.Context, net *ir.Network, c bptt.Config, steps int, trainSet, testSet *dataset.Set, opts NetworkTrainOptions) (*bptt.Trainer, []bptt.Epoch, error) {
	if net == nil || trainSet == nil || testSet == nil {
		return nil, nil, fmt.Errorf("brainc: TrainNetwork needs a network, a training and a test set")
	}
	net = net.Clone()
	net.FillDefaults()
	if err := net.Validate(); err != nil {
		return nil, nil, err
	}
	b, err := backend(opts.Backend, "NetworkTrainOptions.Backend", nil, 1)
	if err != nil {
		return nil, nil, err
	}
	tr, err := bptt.NewTrainer(b.Backend, net, c, max(trainSet.Units, testSet.Units), max(trainSet.Classes, testSet.Classes), steps)
	if err != nil {
		return nil, nil, err
	}
	log, err := tr.Fit(ctx, trainSet, testSet, opts.Epochs, opts.Seed, opts.OnEpoch)
	return tr, log, err
}
