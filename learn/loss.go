package learn

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

func shapesOf(dt dtypes.DType, dims ...int) shapes.Shape { return shapes.Make(dt, dims...) }

// Loss is the configured loss of a batch: the mean over samples of the
// classification loss, plus the rate regulariser when configured. labels:
// Int32 [Batch].
func Loss(c Config, out Output, labels *Node) *Node {
	scores := out.Scores
	var loss *Node
	if c.Loss == LossCountMSE {
		onehot := OneHot(labels, c.Outputs, scores.DType())
		target := AddScalar(MulScalar(onehot, c.TargetHigh-c.TargetLow), c.TargetLow)
		loss = ReduceAllMean(Square(Sub(scores, target)))
	} else {
		loss = losses.SparseCategoricalCrossEntropyLogits(
			[]*Node{ExpandAxes(labels, -1)}, []*Node{scores})
		loss = ReduceAllMean(loss)
	}
	if c.RateReg > 0 {
		hz := MulScalar(out.Counts, 1000/(float64(c.Steps)*c.Dt))
		loss = Add(loss, MulScalar(ReduceAllMean(Square(AddScalar(hz, -c.RateTarget))), c.RateReg))
	}
	return loss
}
