package brainc

import (
	"context"
	"fmt"

	"github.com/brainc/brainc/dataset"
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
