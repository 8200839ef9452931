package ops

import (
	"fmt"
	"math"
	"sort"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Surrogate selects a surrogate spike function: the forward pass is the
// Heaviside step H(x) (1 where x ≥ 0), the backward pass uses g'(x), the
// derivative of a smooth function g that approximates H. x is the distance
// to threshold, V − V_th.
//
// The families and their derivatives g'(x), with α = Alpha:
//
//	sigmoid              α·σ(αx)·(1 − σ(αx))                      g = σ(αx)
//	arctan               (α/2) / (1 + (παx/2)²)                   g = arctan(παx/2)/π + ½
//	piecewise_quadratic  α − α²|x| for |x| < 1/α, else 0           g piecewise quadratic, 0…1
//	fast_sigmoid         α / (2(1 + α|x|)²)                       g = ½·αx/(1 + α|x|) + ½
//	gaussian             N(x; 0, α)  (α is the standard deviation) g = Φ(x/α)
//	multi_gaussian       (1+h)N(x;0,α) − hN(x;α,6α) − hN(x;−α,6α), h = 0.15
//	inv_square           1 / (1 + α|x|)²  (BrainPy's default)      g = x/(1 + α|x|)
//	erf                  (α/√π)·exp(−α²x²)                        g = erfc(−αx)/2
//	slayer               exp(−α|x|)                               g = sign(x)(1 − exp(−α|x|))/α
//
// The zero Surrogate is invalid; use NewSurrogate or DefaultSurrogate.
type Surrogate struct {
	// Name is one of SurrogateNames.
	Name string
	// Alpha is the family's width/sharpness parameter (see above); larger is
	// sharper except for gaussian and multi_gaussian, where it is the width.
	Alpha float64
	// Smooth, when true, makes the forward pass g(x) itself instead of H(x):
	// the whole network is then smooth, which is what finite-difference
	// gradient checks need. Never set it for simulation.
	Smooth bool
}

// surrogateDefaults are each family's default Alpha.
var surrogateDefaults = map[string]float64{
	"sigmoid":             4,
	"arctan":              2,
	"piecewise_quadratic": 1,
	"fast_sigmoid":        1,
	"gaussian":            0.5,
	"multi_gaussian":      0.5,
	"inv_square":          100,
	"erf":                 1,
	"slayer":              1,
}

// multiGaussianH and multiGaussianS are the side-lobe height and width
// factor of the multi-Gaussian surrogate (Yin et al. 2021).
const multiGaussianH, multiGaussianS = 0.15, 6.0

// SurrogateNames lists the surrogate families, sorted.
func SurrogateNames() []string {
	names := make([]string, 0, len(surrogateDefaults))
	for n := range surrogateDefaults {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DefaultSurrogate is inv_square with α = 100, BrainPy's default.
func DefaultSurrogate() Surrogate { return Surrogate{Name: "inv_square", Alpha: 100} }

// NewSurrogate returns the named family with parameter alpha; alpha = 0
// takes the family's default. It fails on an unknown name or a negative or
// non-finite alpha.
func NewSurrogate(name string, alpha float64) (Surrogate, error) {
	def, ok := surrogateDefaults[name]
	if !ok {
		return Surrogate{}, fmt.Errorf("unknown surrogate %q: expected one of %q", name, SurrogateNames())
	}
	if alpha < 0 || math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return Surrogate{}, fmt.Errorf("surrogate %s: alpha must be a positive number, got %g", name, alpha)
	}
	if alpha == 0 {
		alpha = def
	}
	return Surrogate{Name: name, Alpha: alpha}, nil
}

// String is "name(alpha=…)".
func (s Surrogate) String() string { return fmt.Sprintf("%s(alpha=%g)", s.Name, s.Alpha) }

// Spike returns H(x) as x's float dtype (or g(x) when s.Smooth) with the
// surrogate derivative g'(x) on the backward pass. x: any shape, float.
// The forward value is exactly 0 or 1: the surrogate only shapes gradients.
func Spike(x *Node, s Surrogate) *Node {
	if s.Smooth {
		return SurrogateSmooth(x, s)
	}
	h := ConvertDType(GreaterOrEqual(x, ZerosLike(x)), x.DType())
	// z − stop(z) is exactly 0 forward and carries g'(x) backward.
	z := IdentityWithCustomGradient(x, func(x, v *Node) *Node { return Mul(v, SurrogateGrad(x, s)) })
	return Add(StopGradient(h), Sub(z, StopGradient(z)))
}

// SurrogateSmooth returns g(x), the smooth function whose derivative is the
// surrogate gradient (see Surrogate). x: any shape, float.
func SurrogateSmooth(x *Node, s Surrogate) *Node {
	a := s.Alpha
	half := func(n *Node) *Node { return AddScalar(MulScalar(n, 0.5), 0.5) }
	switch s.Name {
	case "sigmoid":
		return Sigmoid(MulScalar(x, a))
	case "arctan":
		return AddScalar(DivScalar(arctan(MulScalar(x, math.Pi*a/2)), math.Pi), 0.5)
	case "piecewise_quadratic":
		// 0 below −1/α, 1 above 1/α; in between ½ + αx − α²x|x|/2.
		mid := AddScalar(Sub(MulScalar(x, a), MulScalar(Mul(x, Abs(x)), a*a/2)), 0.5)
		return Where(LessThan(x, ConstAs(x, -1/a)), ZerosLike(x),
			Where(GreaterThan(x, ConstAs(x, 1/a)), OnesLike(x), mid))
	case "fast_sigmoid":
		return half(Div(MulScalar(x, a), AddScalar(MulScalar(Abs(x), a), 1)))
	case "gaussian":
		return normalCDF(x, 0, a)
	case "multi_gaussian":
		h, w := multiGaussianH, multiGaussianS*a
		return Sub(MulScalar(normalCDF(x, 0, a), 1+h),
			MulScalar(Add(normalCDF(x, a, w), normalCDF(x, -a, w)), h))
	case "inv_square":
		return Div(x, AddScalar(MulScalar(Abs(x), a), 1))
	case "erf":
		return half(Erf(MulScalar(x, a)))
	case "slayer":
		// Written per side, so that autodiff gets g'(0) = 1 (|x| has no
		// derivative at 0).
		zero := ZerosLike(x)
		pos, neg := Where(GreaterOrEqual(x, zero), x, zero), Where(LessThan(x, zero), x, zero)
		return DivScalar(Sub(OneMinus(Exp(MulScalar(pos, -a))), OneMinus(Exp(MulScalar(neg, a)))), a)
	}
	panic(fmt.Sprintf("ops: unknown surrogate %q (construct it with NewSurrogate)", s.Name))
}

// SurrogateGrad returns g'(x), the surrogate derivative (see Surrogate).
// x: any shape, float.
func SurrogateGrad(x *Node, s Surrogate) *Node {
	a := s.Alpha
	switch s.Name {
	case "sigmoid":
		sg := Sigmoid(MulScalar(x, a))
		return MulScalar(Mul(sg, OneMinus(sg)), a)
	case "arctan":
		u := MulScalar(x, math.Pi*a/2)
		return DivScalar(Inverse(AddScalar(Square(u), 1)), 2/a)
	case "piecewise_quadratic":
		g := AddScalar(MulScalar(Abs(x), -a*a), a)
		return Where(LessThan(Abs(x), ConstAs(x, 1/a)), g, ZerosLike(x))
	case "fast_sigmoid":
		return DivScalar(Inverse(Square(AddScalar(MulScalar(Abs(x), a), 1))), 2/a)
	case "gaussian":
		return normalPDF(x, 0, a)
	case "multi_gaussian":
		h, w := multiGaussianH, multiGaussianS*a
		return Sub(MulScalar(normalPDF(x, 0, a), 1+h),
			MulScalar(Add(normalPDF(x, a, w), normalPDF(x, -a, w)), h))
	case "inv_square":
		return Inverse(Square(AddScalar(MulScalar(Abs(x), a), 1)))
	case "erf":
		return MulScalar(Exp(MulScalar(Square(x), -a*a)), a/math.Sqrt(math.Pi))
	case "slayer":
		return Exp(MulScalar(Abs(x), -a))
	}
	panic(fmt.Sprintf("ops: unknown surrogate %q (construct it with NewSurrogate)", s.Name))
}

// normalPDF is the density of N(mu, sigma²) at x.
func normalPDF(x *Node, mu, sigma float64) *Node {
	z := DivScalar(AddScalar(x, -mu), sigma)
	return MulScalar(Exp(MulScalar(Square(z), -0.5)), 1/(sigma*math.Sqrt(2*math.Pi)))
}

// normalCDF is Φ((x − mu)/sigma).
func normalCDF(x *Node, mu, sigma float64) *Node {
	z := DivScalar(AddScalar(x, -mu), sigma*math.Sqrt2)
	return AddScalar(MulScalar(Erf(z), 0.5), 0.5)
}

// arctan computes atan(u) element-wise (GoMLX has no arctangent op): for
// |u| > 1 it uses atan(u) = sign(u)·π/2 − atan(1/u), then one half-angle
// reduction, atan(v) = 2·atan(v/(1 + √(1+v²))), leaves |t| ≤ tan(π/8), where
// the odd Taylor series to t²³ is accurate to about 1e-10.
func arctan(u *Node) *Node {
	big := GreaterThan(Abs(u), OnesLike(u))
	v := Where(big, Inverse(Where(big, u, OnesLike(u))), u)
	t := Div(v, AddScalar(Sqrt(AddScalar(Square(v), 1)), 1))
	t2 := Square(t)
	sum := ZerosLike(t)
	for k := 23; k >= 1; k -= 2 { // Horner in t²: Σ (−1)^((k−1)/2) t^k / k
		c := 1 / float64(k)
		if (k-1)/2%2 == 1 {
			c = -c
		}
		sum = AddScalar(Mul(sum, t2), c)
	}
	at := MulScalar(Mul(sum, t), 2)
	return Where(big, Sub(MulScalar(Sign(u), math.Pi/2), at), at)
}
