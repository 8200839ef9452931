// Package connect builds synaptic connectivity on the host, once, from a seed:
// random rules (fixed probability, fixed in-degree) produce a compressed sparse
// row (CSR) matrix indexed by presynaptic neuron, which the propagation
// operators consume as a padded fixed-width table (ELL) or as a synapse list.
//
// Every builder is deterministic: the same seed and stream give the same
// matrix on any machine.
package connect

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
)

// Matrix is a connectivity in CSR form, rows indexed by presynaptic neuron.
// Row i holds the postsynaptic targets Indices[Indptr[i]:Indptr[i+1]], in
// increasing order.
type Matrix struct {
	NPre, NPost int
	Indptr      []int32 // NPre+1 offsets
	Indices     []int32 // postsynaptic indices
}

// NumSynapses is the number of connections.
func (m *Matrix) NumSynapses() int { return len(m.Indices) }

// MaxRow is the largest number of targets of any presynaptic neuron.
func (m *Matrix) MaxRow() int {
	w := 0
	for i := 0; i < m.NPre; i++ {
		w = max(w, int(m.Indptr[i+1]-m.Indptr[i]))
	}
	return w
}

// ELL returns the matrix as a dense table of NPre+1 rows by width columns
// (width = max(MaxRow(), 1)), row-major. Short rows are padded with NPost, and
// the extra last row (index NPre) is all padding: operators use index NPre for
// "no neuron" and NPost as a discard slot.
func (m *Matrix) ELL() (table []int32, width int) {
	width = max(m.MaxRow(), 1)
	table = make([]int32, (m.NPre+1)*width)
	for i := range table {
		table[i] = int32(m.NPost)
	}
	for i := 0; i < m.NPre; i++ {
		copy(table[i*width:], m.Indices[m.Indptr[i]:m.Indptr[i+1]])
	}
	return table, width
}

// COO returns the synapse list (pre[k], post[k]), sorted by pre then post.
func (m *Matrix) COO() (pre, post []int32) {
	pre = make([]int32, len(m.Indices))
	for i := 0; i < m.NPre; i++ {
		for k := m.Indptr[i]; k < m.Indptr[i+1]; k++ {
			pre[k] = int32(i)
		}
	}
	return pre, append([]int32(nil), m.Indices...)
}

// Stream derives an RNG stream number from a name (e.g. a projection's), so
// that each projection draws independently of the order they are built in.
func Stream(name string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return h.Sum64()
}

// Options are shared by the random rules.
type Options struct {
	// Seed and Stream select the random sequence.
	Seed, Stream uint64
	// SamePopulation is true when pre and post are the same population; then
	// self-connections i→i are excluded unless AllowSelf.
	SamePopulation, AllowSelf bool
}

func (o Options) rng() *rand.Rand { return rand.New(rand.NewPCG(o.Seed, o.Stream)) }

func (o Options) noSelf() bool { return o.SamePopulation && !o.AllowSelf }

func checkSizes(npre, npost int) error {
	if npre <= 0 || npost <= 0 {
		return fmt.Errorf("population sizes must be positive, got pre=%d post=%d", npre, npost)
	}
	if npre >= math.MaxInt32 || npost >= math.MaxInt32 {
		return fmt.Errorf("population sizes must be below 2^31-1, got pre=%d post=%d", npre, npost)
	}
	return nil
}

// FixedProb connects every (pre, post) pair independently with probability p.
// Rows are drawn by geometric skipping, so the cost is O(synapses), not
// O(pre·post).
func FixedProb(npre, npost int, p float64, o Options) (*Matrix, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, err
	}
	if !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("connection probability must be in [0, 1], got %g", p)
	}
	r := o.rng()
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1)}
	m.Indices = make([]int32, 0, int(float64(npre)*float64(npost)*p*1.05)+16)
	logq := math.Log1p(-p)
	for i := 0; i < npre; i++ {
		for j := -1; ; {
			switch {
			case p == 0:
				j = npost
			case p == 1:
				j++
			default:
				// Gap to the next connection: geometric with success probability p.
				j += 1 + int(math.Floor(math.Log(1-r.Float64())/logq))
			}
			if j >= npost || j < 0 {
				break
			}
			if !(o.noSelf() && j == i) {
				m.Indices = append(m.Indices, int32(j))
			}
		}
		m.Indptr[i+1] = int32(len(m.Indices))
	}
	return m, nil
}

// FixedInDegree gives every postsynaptic neuron exactly k distinct
// presynaptic partners, drawn uniformly without replacement (Floyd's
// algorithm).
func FixedInDegree(npre, npost, k int, o Options) (*Matrix, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, err
	}
	avail := npre
	if o.noSelf() {
		avail--
	}
	if k < 0 || k > avail {
		return nil, fmt.Errorf("in-degree must be in [0, %d], got %d", avail, k)
	}
	r := o.rng()
	rowCount := make([]int32, npre)
	pres := make([]int32, 0, npost*k) // pre of each synapse, grouped by post
	chosen := make(map[int]struct{}, k)
	for j := 0; j < npost; j++ {
		floyd(r, avail, k, chosen)
		for u := range chosen {
			pre := u
			if o.noSelf() && pre >= j {
				pre++ // skip j itself
			}
			pres = append(pres, int32(pre))
			rowCount[pre]++
		}
	}
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1), Indices: make([]int32, len(pres))}
	for i := 0; i < npre; i++ {
		m.Indptr[i+1] = m.Indptr[i] + rowCount[i]
	}
	fill := append([]int32(nil), m.Indptr[:npre]...)
	for j := 0; j < npost; j++ { // posts ascending, so each row ends sorted
		for _, pre := range pres[j*k : (j+1)*k] {
			m.Indices[fill[pre]] = int32(j)
			fill[pre]++
		}
	}
	return m, nil
}

// FixedOutDegree gives every presynaptic neuron exactly k distinct
// postsynaptic targets, drawn uniformly without replacement (Floyd's
// algorithm), excluding itself when o excludes self-connections.
func FixedOutDegree(npre, npost, k int, o Options) (*Matrix, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, err
	}
	avail := npost
	if o.noSelf() {
		avail--
	}
	if k < 0 || k > avail {
		return nil, fmt.Errorf("out-degree must be in [0, %d], got %d", avail, k)
	}
	r := o.rng()
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1), Indices: make([]int32, 0, npre*k)}
	chosen := make(map[int]struct{}, k)
	row := make([]int32, 0, k)
	for i := 0; i < npre; i++ {
		floyd(r, avail, k, chosen)
		row = row[:0]
		for u := range chosen {
			if o.noSelf() && u >= i {
				u++ // skip i itself
			}
			row = append(row, int32(u))
		}
		slices.Sort(row)
		m.Indices = append(m.Indices, row...)
		m.Indptr[i+1] = int32(len(m.Indices))
	}
	return m, nil
}

// OneToOne connects neuron i of the presynaptic population to neuron i of
// the postsynaptic one; the populations must have the same size.
func OneToOne(npre, npost int) (*Matrix, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, err
	}
	if npre != npost {
		return nil, fmt.Errorf("one-to-one needs populations of the same size, got %d and %d", npre, npost)
	}
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1), Indices: make([]int32, npre)}
	for i := range npre {
		m.Indices[i] = int32(i)
		m.Indptr[i+1] = int32(i + 1)
	}
	return m, nil
}

// AllToAll connects every presynaptic neuron to every postsynaptic one
// (except i → i when o excludes self-connections).
func AllToAll(npre, npost int, o Options) (*Matrix, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, err
	}
	if int64(npre)*int64(npost) > math.MaxInt32 {
		return nil, fmt.Errorf("all-to-all of %d × %d exceeds 2³¹ synapses", npre, npost)
	}
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1), Indices: make([]int32, 0, npre*npost)}
	for i := 0; i < npre; i++ {
		for j := 0; j < npost; j++ {
			if !(o.noSelf() && i == j) {
				m.Indices = append(m.Indices, int32(j))
			}
		}
		m.Indptr[i+1] = int32(len(m.Indices))
	}
	return m, nil
}

// floyd fills chosen with k distinct values drawn uniformly from [0, avail)
// (Floyd's algorithm: for t in [avail−k, avail), pick u in [0, t] and take t
// if u is already taken).
func floyd(r *rand.Rand, avail, k int, chosen map[int]struct{}) {
	clear(chosen)
	for t := avail - k; t < avail; t++ {
		u := r.IntN(t + 1)
		if _, dup := chosen[u]; dup {
			u = t
		}
		chosen[u] = struct{}{}
	}
}

// GridPosition places neuron i of a population of n on a square grid of
// ⌈√n⌉ columns filling the unit square, at its cell's centre.
func GridPosition(i, n int) (x, y float64) {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	return (float64(i%cols) + 0.5) / float64(cols), (float64(i/cols) + 0.5) / float64(rows)
}

// Gaussian connects pre i to post j with probability
// pMax·exp(−d²/(2σ²)), d the distance between their grid positions (both
// populations laid on the unit square by GridPosition). The cost is
// O(npre·npost).
func Gaussian(npre, npost int, sigma, pMax float64, o Options) (*Matrix, error) {
	if err := checkSizes(npre, npost); err != nil {
		return nil, err
	}
	if !(sigma > 0) || !(pMax > 0 && pMax <= 1) {
		return nil, fmt.Errorf("gaussian connectivity needs sigma > 0 and p_max in (0, 1], got %g and %g", sigma, pMax)
	}
	r := o.rng()
	m := &Matrix{NPre: npre, NPost: npost, Indptr: make([]int32, npre+1)}
	for i := 0; i < npre; i++ {
		xi, yi := GridPosition(i, npre)
		for j := 0; j < npost; j++ {
			if o.noSelf() && i == j {
				continue
			}
			xj, yj := GridPosition(j, npost)
			d2 := (xi-xj)*(xi-xj) + (yi-yj)*(yi-yj)
			if r.Float64() < pMax*math.Exp(-d2/(2*sigma*sigma)) {
				m.Indices = append(m.Indices, int32(j))
			}
		}
		m.Indptr[i+1] = int32(len(m.Indices))
	}
	return m, nil
}
