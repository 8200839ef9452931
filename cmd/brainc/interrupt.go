package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// notifySignals subscribes c to the signals that stop a run, and
// stopSignals undoes it; exitNow ends the process. Variables, so that tests
// deliver their own signals and see the exit code.
var (
	notifySignals = func(c chan<- os.Signal) { signal.Notify(c, stopSignalSet...) }
	stopSignals   = func(c chan<- os.Signal) { signal.Stop(c) }
	exitNow       = os.Exit
)

// stopSignalSet are the signals that stop a run or a sweep as SIGINT
// does: SIGTERM (kill, a scheduler), SIGHUP (the terminal closed, an ssh
// session lost), whose default would end the process with nothing written.
var stopSignalSet = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// exitInterrupted is the exit code of a run ended by a signal (128 + SIGINT).
const exitInterrupted = 130

// interrupts watches SIGINT, SIGTERM and SIGHUP (stopSignalSet) during a
// run or a sweep. The first closes Stop: the run ends at the next call
// boundary and writes what it recorded, marked partial (a sweep: after the
// instances running now, keeping those done). A second one exits at once
// while nothing is being written (nothing is half written then, so no
// partial file is left); during a write it waits for the write to finish.
type interrupts struct {
	sigs chan os.Signal
	// Stop is closed by the first signal.
	Stop chan struct{}
	// cmd names the command in messages ("run", "sweep"); stopping says
	// what the first signal does.
	cmd, stopping string
	// writing counts the writes in progress.
	writing atomic.Int32
	done    chan struct{}
}

// watchInterrupts starts watching for command cmd (its messages begin
// "brainc cmd:"), whose first signal is said to be "stopping …"; close
// stops it.
func watchInterrupts(stderr io.Writer, cmd, stopping string) *interrupts {
	i := &interrupts{sigs: make(chan os.Signal, 2), Stop: make(chan struct{}), done: make(chan struct{}), cmd: cmd, stopping: stopping}
	notifySignals(i.sigs)
	go i.loop(stderr)
	return i
}

func (i *interrupts) loop(stderr io.Writer) {
	n := 0
	for {
		select {
		case <-i.done:
			return
		case <-i.sigs:
			n++
			switch {
			case n == 1:
				fmt.Fprintf(stderr, "\nbrainc %s: %s; interrupt again to quit at once\n", i.cmd, i.stopping)
				close(i.Stop)
			case i.writing.Load() > 0:
				fmt.Fprintf(stderr, "brainc %s: writing the outputs; they are complete in a moment\n", i.cmd)
			default:
				fmt.Fprintf(stderr, "brainc %s: quit; nothing more was written\n", i.cmd)
				exitNow(exitInterrupted)
			}
		}
	}
}

// Writing marks the start of the outputs' write: a later signal no longer
// exits at once, until Written.
func (i *interrupts) Writing() { i.writing.Add(1) }

// Written marks the end of a write begun by Writing.
func (i *interrupts) Written() { i.writing.Add(-1) }

// close stops watching.
func (i *interrupts) close() {
	stopSignals(i.sigs)
	close(i.done)
}

// interruptedError is a run ended by a signal after Steps steps, its
// recording written, partial, to Out (exit code exitInterrupted); or,
// when Msg is set, another command so ended, Msg saying what it wrote.
type interruptedError struct {
	Steps int
	MS    float64
	Out   string
	Msg   string
}

func (e *interruptedError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return fmt.Sprintf("interrupted after step %d (t = %.10g ms): what was recorded up to there is in %s, marked \"complete\": false",
		e.Steps, e.MS, e.Out)
}
