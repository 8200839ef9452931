// Package ir holds brainc's model intermediate representation: a Network of
// populations, projections, inputs and monitors, with every dimensioned value
// already converted to brainc's base units (ms, mV, Hz; conductances and
// weights are dimensionless, as in BrainPy). Specs are parsed from YAML or
// JSON by netspec.Parse; every error names the field and the line it came from.
//
// The package imports nothing else of brainc but catalog, the model catalogue
// it parses and validates against, and eqs, the checked equation models a
// population may have instead: dynamics, lowering and running all read the
// IR, never the other way around.
package ir

import "github.com/brainc/brainc/eqs"

// Base units of the IR. Values in a Network are stored in these units.
const (
	// UnitTime is the IR's unit of time: milliseconds.
	UnitTime = "ms"
	// UnitVoltage is the IR's unit of membrane potential: millivolts.
	UnitVoltage = "mV"
	// UnitRate is the IR's unit of rates: hertz.
	UnitRate = "Hz"
)

// MaxDevices bounds Network.Devices.
const MaxDevices = 1024

// Simulation float types (Network.Precision).
const (
	PrecisionFloat32 = "float32"
	PrecisionFloat64 = "float64"
)

// Network is a whole model: a clock, a seed, populations, the projections
// between them and what to record.
type Network struct {
	// Name identifies the model (used in outputs and manifests).
	Name string
	// Dt is the integration step in ms.
	Dt float64
	// Duration is the default simulated time in ms.
	Duration float64
	// Seed seeds connectivity and initial conditions.
	Seed uint64
	// Precision is the simulation's float type: "" or PrecisionFloat32
	// (the default), or PrecisionFloat64.
	Precision string
	// Devices is how many devices a run splits the network across, neuron
	// by neuron (0 or 1: one; at most MaxDevices); a run's --devices
	// overrides it.
	Devices int
	// Populations in spec order.
	Populations []*Population
	// Projections in spec order.
	Projections []*Projection
	// Monitors lists what a run records. The Go API (brainc.New) records
	// every population's spikes when it is zero, as a spec without
	// monitors: does; an empty, non-nil Spikes records none.
	Monitors Monitors
	// File is the spec file the network was read from ("" for networks
	// built in Go); errors found after parsing name it with the line.
	File string
	// Replicas marks the populations and projections that are copies of
	// another in a batch of instances (package sweep runs many instances
	// of a network as one network of copies), by the copy's name. A copy
	// draws every random value (connectivity, per-synapse weights and
	// delays, initial and per-neuron values, noise, Poisson input) that
	// its original draws in the network seeded with the replica's Seed.
	Replicas map[string]Replica
}

// Replica is what a copy of a population or projection stands for.
type Replica struct {
	// Of is the original's name, Seed the seed of the copy's instance.
	Of   string
	Seed uint64
}

// Population is a group of neurons of one model with shared parameters.
type Population struct {
	// Name is unique within the network.
	Name string
	// Size is the number of neurons (> 0).
	Size int
	// Model is the neuron model name, as listed in the Catalog (e.g.
	// "LifRef"), or EquationsModel for a model given by equations.
	Model string
	// Equations is the checked model of an EquationsModel population (nil
	// otherwise); Params then holds its parameters in eqs' coherent units
	// (ms, mV, mS, µF …, see eqs.Coherent), as do Init and Noise.
	Equations *eqs.Neuron
	// Params holds every parameter of the model in base units: defaults from
	// the Catalog, overridden by the spec.
	Params map[string]float64
	// Vary holds the parameters that take one value per neuron (a
	// distribution, a file or an expression), for models that allow it
	// (LifRef and equation models); Params then holds the first value's
	// stand-in (the distribution's A).
	Vary map[string]Init
	// Init gives the initial value distribution of state variables; variables
	// not listed start at the model's default (see Catalog).
	Init map[string]Init
	// Input is the external input current injected every step.
	Input Input
	// Integrator is the numerical method: "exp_euler" (default), "euler",
	// "rk2" (Heun) or "rk4".
	Integrator string
	// Spikes are the given spike times of a SpikeTimes population (nil for
	// other models).
	Spikes *SpikeTimes
	// Noise, when set, adds a stochastic term to one state variable,
	// integrated by Euler–Maruyama.
	Noise *Noise
	// Line is the spec line where the population is defined (0 for Go-built networks).
	Line int
}

// InitKind names a distribution for initial values.
type InitKind string

// Initial value distributions.
const (
	// InitConst sets every neuron to A.
	InitConst InitKind = "const"
	// InitNormal draws from a normal distribution with mean A and standard deviation B.
	InitNormal InitKind = "normal"
	// InitUniform draws uniformly from [A, B).
	InitUniform InitKind = "uniform"
	// InitLognormal draws from the log-normal distribution of mean A and
	// standard deviation B (A > 0).
	InitLognormal InitKind = "lognormal"
	// InitFile reads one value per neuron (or synapse) from the .npy File.
	InitFile InitKind = "file"
	// InitExpr computes each neuron's value from the expression Expr.
	InitExpr InitKind = "expr"
	// InitValues gives the values themselves (Given): trained weights or
	// parameters read back (bptt.ApplyParams), or arrays set from Go.
	InitValues InitKind = "values"
)

// Init is a distribution of values, one per neuron (or synapse): initial
// values of state variables, per-neuron parameters and inputs, per-synapse
// weights and delays. Values are in base units.
type Init struct {
	Kind InitKind
	A, B float64
	// Clip, when set, bounds the drawn values to [Lo, Hi] (normal,
	// lognormal and uniform draws).
	Clip   bool
	Lo, Hi float64
	// File is the .npy file of an InitFile value (a path relative to the
	// spec file's directory is resolved when parsed), in base units.
	File string
	// Expr is an InitExpr value: an expression (package eqs) of the neuron
	// index i, the population's size N and r, a uniform draw in [0, 1) per
	// neuron shared by all the population's expressions (so that
	// c = -65 mV + 15 mV*r**2 and d = 8 mV - 6 mV*r**2 draw one r). Scale
	// converts the expression's coherent units into base units (1000 for
	// rates in Hz, else 1).
	Expr  eqs.Expr
	Scale float64
	// Given holds an InitValues' values.
	Given *Given
	// Read holds an InitFile's values once read (netspec.ReadData): the
	// network is loaded with its files, and lowering reads none.
	Read *FileValues
}

// FileValues are the values of an .npy file, read when a network is
// loaded: Values in the file's order, Shape the array's (one dimension
// for a valid per-neuron file; lowering checks the length).
type FileValues struct {
	// Values are the array's entries as float64.
	Values []float64
	// Shape is the array's shape in the file.
	Shape []int
}

// SynapseList is explicit synapses: Pre[k] → Post[k], with optional
// per-synapse Weight and Delay (ms) arrays (nil when absent).
type SynapseList struct {
	// Pre and Post are each synapse's presynaptic and postsynaptic neuron.
	Pre, Post []int64
	// Weight and Delay are per-synapse weights (multiplying the
	// projection's) and delays in ms, nil when the file has none.
	Weight, Delay []float64
}

// Given are values given one by one (ir.InitValues), in base units.
type Given struct {
	// Values are one per neuron (or synapse): their number must be the
	// population's size (the projection's synapse count) when lowered.
	Values []float64
	// Pre and Post, when set, are the synapses given per-synapse weights
	// belong to (presynaptic and postsynaptic neuron of each value, in the
	// connectivity's synapse order): lowering checks that the connectivity
	// drawn is these synapses, so that values saved from one network are
	// never laid onto another's.
	Pre, Post []int32
}

// PerNeuron reports whether the distribution gives neurons values of their
// own (not one constant).
func (in Init) PerNeuron() bool { return in.Kind != "" && in.Kind != InitConst }

// Input is an external input current (dimensionless, in the model's current
// units: with R=1 it is in mV, as in BrainPy).
type Input struct {
	// Kind is "" (no input) or one of InputConstant, InputRamp,
	// InputSinusoid, InputSection, InputNoise and InputOU.
	Kind string
	// Value is the constant current (the offset of a sinusoid).
	Value float64
	// From, To, Start and End describe a ramp: From until Start (ms), then
	// linear to To at End (ms), To after.
	From, To, Start, End float64
	// Amplitude, Frequency (Hz) and Phase (rad) describe a sinusoid:
	// Value + Amplitude·sin(2π·Frequency·t + Phase).
	Amplitude, Frequency, Phase float64
	// Values and Durations (ms) describe a section input: Values[k] for
	// Durations[k] in turn from t = 0, then 0.
	Values, Durations []float64
	// PerNeuron, when set, makes a constant input one value per neuron
	// (Value is then ignored).
	PerNeuron *Init
	// Sigma is the white-noise amplitude of a noise input: each neuron gets
	// Value + Sigma·ξ/√dt with ξ ~ N(0, 1) drawn anew every step, so that
	// Euler-type integration of the neuron is Euler–Maruyama for additive
	// noise of intensity Sigma. For an "ou" input it is the stationary
	// standard deviation of the Ornstein–Uhlenbeck current, whose mean is
	// Value and correlation time Tau (ms).
	Sigma float64
	Tau   float64
}

// Kinds of external input (Input.Kind; "" is none).
const (
	// InputConstant is a constant current (Value, or PerNeuron).
	InputConstant = "constant"
	// InputRamp goes linearly from From to To between Start and End.
	InputRamp = "ramp"
	// InputSinusoid is Value + Amplitude·sin(2π·Frequency·t + Phase).
	InputSinusoid = "sinusoid"
	// InputSection is Values[k] for Durations[k] in turn.
	InputSection = "section"
	// InputNoise is Value plus white noise of intensity Sigma.
	InputNoise = "noise"
	// InputOU is an Ornstein–Uhlenbeck current (mean Value, Sigma, Tau).
	InputOU = "ou"
)

// Projection connects a presynaptic population to a postsynaptic one through
// a synapse model and an output (how the synaptic variable becomes current).
type Projection struct {
	// Name is unique within the network.
	Name string
	// Pre and Post are population names. Pre is "" for a Poisson input
	// (Poisson set).
	Pre, Post string
	// Poisson, when set, replaces the presynaptic population and the
	// connectivity: every postsynaptic neuron receives Num independent
	// Poisson trains of its own (Brian2's PoissonInput).
	Poisson *PoissonInput
	// Conn is the connectivity rule.
	Conn Conn
	// Weight is the homogeneous synaptic weight added to the synaptic
	// variable per presynaptic spike.
	Weight float64
	// WeightDist, when set, draws one weight per synapse (normal, uniform,
	// lognormal, optionally clipped) from the network's seed; Weight then
	// scales them (1 when read from a spec). Event and dense kernels only.
	WeightDist *Init
	// Synapse is the synapse model and its parameters.
	Synapse Component
	// Output converts the synaptic variable to a current: "CUBA" or "COBA".
	Output Component
	// Kernel forces the propagation operator: "auto" (default), "dense",
	// "event" (stored connectivity) or "procedural" (regenerated, fixed_prob only).
	Kernel string
	// Carries, for a projection out of a rate population (a model that
	// emits no spikes), names the presynaptic state variable it carries
	// each step: its synapse receives Σ_j w_ij·x_j instead of spikes (rate
	// coupling). FillDefaults sets the model's own (catalog.ModelSpec.Sends:
	// WilsonCowan's E); a model given by equations must name one. Empty for
	// projections out of spiking populations, which carry spikes.
	Carries string
	// Coupling is how a rate projection's carried values enter its
	// synapse (the zero Coupling: linear, Σ_j w_ij·x_j).
	Coupling Coupling
	// Init gives the initial value of the synaptic variable "g" (0 when
	// absent). Projections merged into one synaptic state must agree.
	Init map[string]Init
	// STP, when set, makes the projection's spikes carry Tsodyks–Markram
	// short-term plasticity efficacies.
	STP *STP
	// STDP, when set, makes the weights plastic (pair-based STDP).
	STDP *STDP
	// Plasticity, when set, makes the weights plastic by a rule given by
	// equations (traces per pre- and postsynaptic neuron, on_pre and
	// on_post statements); its Values are in eqs' coherent units.
	Plasticity *eqs.Plasticity
	// Modulators bind the names Plasticity.Modulators to population
	// variables, in the rule's order.
	Modulators []Modulator
	// Delay is the transmission delay in ms: a spike emitted in step t
	// reaches the synapse round(Delay/dt) steps later than without delay.
	// InitConst (or the zero Init) is one delay for every synapse; InitUniform
	// and InitNormal draw one per synapse (normal draws are clipped at 0).
	// Per-synapse delays from a conn file (its "delay" array) replace it.
	Delay Init
	// Line is the spec line where the projection is defined.
	Line int
}

// ConnRule names a connectivity rule.
type ConnRule string

// Connectivity rules.
const (
	// ConnFixedProb connects each (pre, post) pair independently with probability Prob.
	ConnFixedProb ConnRule = "fixed_prob"
	// ConnFixedInDegree gives every post neuron exactly Num presynaptic partners, drawn without replacement.
	ConnFixedInDegree ConnRule = "fixed_in_degree"
	// ConnFixedOutDegree gives every pre neuron exactly Num postsynaptic targets, drawn without replacement.
	ConnFixedOutDegree ConnRule = "fixed_out_degree"
	// ConnOneToOne connects pre neuron i to post neuron i (equal sizes).
	ConnOneToOne ConnRule = "one_to_one"
	// ConnAllToAll connects every pre neuron to every post neuron.
	ConnAllToAll ConnRule = "all_to_all"
	// ConnFromFile reads explicit (pre, post[, weight]) lists from File.
	ConnFromFile ConnRule = "file"
	// ConnConnectome reads a region-level connectome from File (The
	// Virtual Brain's connectivity zip, or an .npz): one synapse per
	// nonzero weight, source region → target region, with delays from the
	// tract lengths at Speed.
	ConnConnectome ConnRule = "connectome"
	// ConnGaussian connects by distance on a grid: probability
	// PMax·exp(−d²/(2·Sigma²)), both populations on the unit square.
	ConnGaussian ConnRule = "gaussian"
)

// Conn is a connectivity rule with its parameters.
type Conn struct {
	Rule ConnRule
	// Prob is the connection probability for ConnFixedProb, in [0, 1].
	Prob float64
	// Sigma and PMax parametrise ConnGaussian (Sigma in units of the grid's
	// side, PMax in (0, 1]).
	Sigma, PMax float64
	// Num is the in-degree for ConnFixedInDegree, the out-degree for
	// ConnFixedOutDegree.
	Num int
	// AllowSelf permits i→i connections when Pre == Post (default false).
	AllowSelf bool
	// File is the .npz of explicit synapses for ConnFromFile: arrays "pre"
	// and "post" (integers), and optionally "weight" (per-synapse weights,
	// multiplied by the projection's weight) and "delay" (per-synapse
	// delays in ms). A relative path is resolved against the spec file's
	// directory when parsed. For ConnConnectome it is the connectome.
	File string
	// Speed is ConnConnectome's conduction speed in mm/ms (= m/s): each
	// synapse's delay is its tract length over it; 0 for no delays.
	Speed float64
	// Read holds File's synapses once read (netspec.ReadData).
	Read *SynapseList
}

// Coupling kinds of a rate projection (Projection.Coupling).
const (
	// CouplingLinear gives the target Σ_j w_ij·x_j (TVB's Linear).
	CouplingLinear = "linear"
	// CouplingSigmoid gives Σ_j w_ij·S(x_j), S(x) = Max/(1 + e^{Slope·(Midpoint − x)})
	// (TVB's SigmoidalJansenRit form, applied to the carried variable).
	CouplingSigmoid = "sigmoid"
	// CouplingDifference gives Σ_j w_ij·(x_j − x_i), x_i the target's own
	// variable of the same name at the step's start (TVB's Difference:
	// diffusive coupling).
	CouplingDifference = "difference"
)

// Coupling is a rate projection's coupling function.
type Coupling struct {
	// Kind is CouplingLinear ("" too), CouplingSigmoid or CouplingDifference.
	Kind string
	// Max, Midpoint and Slope shape CouplingSigmoid's S (in the carried
	// variable's units; Slope per unit of it).
	Max, Midpoint, Slope float64
}

// Component is a named model (synapse or output) with parameters in base
// units, defaults filled in from the Catalog.
type Component struct {
	Model  string
	Params map[string]float64
	// Synapse is the checked model of a synapse given by equations, Output
	// the checked expression of an output given by one (Model is then
	// EquationsModel and Params hold their values in eqs' coherent units).
	Synapse *eqs.Synapse
	Output  *eqs.Output
}

// Monitors lists what to record during a run.
type Monitors struct {
	// Spikes lists populations whose spikes are recorded.
	Spikes []string
	// SpikeNeurons holds, for populations of Spikes recorded in part, the
	// neurons recorded (increasing, no repeats); the others are recorded
	// whole.
	SpikeNeurons map[string][]int
	// Rates holds, for spike-monitored populations, the bin (ms) of their
	// population rate time series (rates.npz).
	Rates map[string]float64
	// Traces lists state variables recorded for some neurons, every step
	// or every Every ms.
	Traces []Trace
	// Every is the interval (ms) between recorded rows of the traces, a
	// whole number of steps; 0 records every step.
	Every float64
	// Start and Stop bound the recording window (ms): spikes and traces
	// are recorded at steps whose time t = step·dt has Start ≤ t < Stop.
	// Stop 0 means no end.
	Start, Stop float64
	// TraceStart and TraceStop, when either is set, are the traces' own
	// window (monitors.traces_window), in place of Start and Stop for
	// them: a short stretch of traces without cutting the spikes.
	TraceStart, TraceStop float64
	// FC lists traces ("<pop>.<var>", each of Traces with two or more
	// indices) whose functional connectivity the run writes: the Pearson
	// correlation of every pair of traced entries over the recorded
	// steps (fc.npz).
	FC []string
}

// TraceWindow is the window the traces are recorded in (ms; stop 0: no
// end): TraceStart and TraceStop when either is set, else Start and Stop.
func (m Monitors) TraceWindow() (start, stop float64) {
	if m.TraceStart != 0 || m.TraceStop != 0 {
		return m.TraceStart, m.TraceStop
	}
	return m.Start, m.Stop
}

// Trace records one state variable of selected neurons of a population,
// or of a projection (its synaptic variables, by postsynaptic neuron or, for
// kinetic synapses, presynaptic neuron; STP's u and x by presynaptic neuron;
// STDP's w by synapse, and its x_pre and x_post). Two derived variables
// are traced as well: a population's SynCurrentTrace (the summed synaptic
// current into each neuron) and a projection's CurrentTrace (the current
// its synaptic output drives into each postsynaptic neuron).
type Trace struct {
	// Pop names the population or the projection.
	Pop, Var string
	// Indices of the neurons (or synapses) recorded.
	Indices []int
	// Line is the spec line of the trace (0 for Go-built networks).
	Line int
}

// Projection returns the projection with the given name, or nil.
func (n *Network) Projection(name string) *Projection {
	for _, p := range n.Projections {
		if p != nil && p.Name == name {
			return p
		}
	}
	return nil
}

// Population returns the population with the given name, or nil.
func (n *Network) Population(name string) *Population {
	for _, p := range n.Populations {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Modulator binds a name a plasticity rule reads (a neuromodulator's
// concentration, eqs.Plasticity.Modulators) to a population's state
// variable: each step the rule reads the variable's mean over the
// population, as it stood at the step's start.
type Modulator struct {
	// Name is the rule's name for the value.
	Name string
	// Pop is the population read and Var its state variable.
	Pop, Var string
	// Line is the spec line where it is given (0 when built in Go).
	Line int
}

// STP holds Tsodyks–Markram short-term plasticity parameters: U (release
// probability increment, in (0, 1]) and the facilitation and depression
// time constants TauF and TauD (ms).
type STP struct {
	U, TauF, TauD float64
	// Form is where u rests between spikes: STPFormBrian2 ("" too: u
	// relaxes to U, as in Brian2's STP example; the first spike's efficacy
	// is U(2−U)) or STPFormTPM98 (u relaxes to 0, Tsodyks, Pawelzik &
	// Markram 1998 and BrainPy's STP; the first spike's efficacy is U).
	Form string
}

// Forms of short-term plasticity (STP.Form).
const (
	// STPFormBrian2 lets u relax to U.
	STPFormBrian2 = "brian2"
	// STPFormTPM98 lets u relax to 0.
	STPFormTPM98 = "tpm98"
)

// STDP holds pair-based spike-timing-dependent plasticity parameters (Song,
// Miller & Abbott 2000, all-to-all trace form): a post spike Δt ≥ 0 after a
// pre spike adds APlus·e^{−Δt/TauPlus} to the weight, a pre spike Δt > 0
// after a post spike subtracts AMinus·e^{−Δt/TauMinus}; the weight is kept
// in [WMin, WMax]. Weights are in the projection's weight units.
type STDP struct {
	TauPlus, TauMinus float64 // ms
	APlus, AMinus     float64
	WMin, WMax        float64
}

// PoissonInput is an external Poisson drive: Num independent trains of Rate
// (Hz) per postsynaptic neuron, active from Start to Stop (ms; Stop 0 means
// until the end).
type PoissonInput struct {
	Num         int
	Rate        float64
	Start, Stop float64
}

// SpikeTimes are the spikes a SpikeTimes population emits: neuron
// Indices[k] fires at Times[k] (ms, rounded to the step), or, when File is
// set, the arrays "times" and "indices" of that .npz (a relative path is
// resolved against the spec file's directory when parsed).
type SpikeTimes struct {
	// Times and Indices are the spikes given in the spec.
	Times   []float64
	Indices []int
	// File is the .npz that gives them instead.
	File string
	// Read holds File's spikes once read and checked (netspec.ReadData).
	Read *ReadSpikes
}

// ReadSpikes are the spikes of a SpikeTimes file: neuron Indices[k] fires
// at Times[k] (ms).
type ReadSpikes struct {
	// Times are in ms, finite and ≥ 0.
	Times []float64
	// Indices are neurons of the population.
	Indices []int
}

// Noise is a stochastic term on the state variable Var: each step adds
// Sigma·√dt·ξ (additive) or Sigma·X·√dt·ξ (Multiplicative, X the variable's
// value at the start of the step), ξ ~ N(0, 1) per neuron and step, to the
// deterministic update: with the euler integrator this is exactly the
// Euler–Maruyama scheme for dX = f dt + σ(X) dW (W in √ms).
type Noise struct {
	Var            string
	Sigma          float64
	Multiplicative bool
}
