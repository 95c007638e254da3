//===- MemoryPlanner.cpp - one arena for all activations -----------------===//
#include "codegen/cpp/MemoryPlanner.h"

#include "dialects/onnx/OnnxDialect.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>

using namespace mlir;

bool onnxc::isViewOp(Operation *op) {
  return isa<onnx::ReshapeOp, onnx::FlattenOp, onnx::SqueezeOp,
             onnx::UnsqueezeOp, onnx::IdentityOp, onnx::DropoutOp>(op);
}

int64_t onnxc::tensorBytes(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  Type e = t.getElementType();
  int64_t bits = e.isInteger(1) ? 8 : e.getIntOrFloatBitWidth();
  return t.getNumElements() * std::max<int64_t>(bits / 8, 1);
}

static int64_t alignUp(int64_t v) {
  using onnxc::kBufferAlign;
  return (v + kBufferAlign - 1) / kBufferAlign * kBufferAlign;
}

namespace {
struct Interval {
  Value root;            // null for scratch
  Operation *scratchOp;  // for scratch
  int64_t size, start, end;
  int64_t offset = 0;
};
} // namespace

onnxc::MemoryPlan
onnxc::planMemory(func::FuncOp func,
                  const std::function<int64_t(Operation *)> &scratchBytes) {
  MemoryPlan plan;
  Block &body = func.getBody().front();
  llvm::DenseMap<Operation *, int64_t> position;
  int64_t pos = 0;
  for (Operation &op : body)
    position[&op] = pos++;
  const int64_t end = pos;

  for (BlockArgument arg : body.getArguments())
    plan.buffers[arg] = BufferRef{BufferRef::Input, 0, int(arg.getArgNumber()), arg};

  // Roots and views.
  for (Operation &op : body) {
    if (isa<onnx::NoValueOp, func::ReturnOp>(op))
      continue;
    for (Value r : op.getResults()) {
      if (isa<NoneType>(r.getType()))
        continue;
      if (isa<onnx::ConstantOp>(op)) {
        plan.buffers[r] = BufferRef{BufferRef::Constant, 0, 0, r};
      } else if (isViewOp(&op) && cast<OpResult>(r).getResultNumber() == 0) {
        BufferRef src = plan.buffers.lookup(op.getOperand(0));
        plan.buffers[r] = src;
      } else {
        plan.buffers[r] = BufferRef{BufferRef::Arena, 0, 0, r};
      }
    }
  }

  // Concat inputs written in place: an input only the Concat reads, whose
  // bytes are its own, becomes a slice of the result. Every dim before the
  // axis must be 1 so each input is one contiguous run of the result.
  for (Operation &op : body) {
    auto concat = dyn_cast<onnx::ConcatOp>(op);
    if (!concat)
      continue;
    Value y = concat.getResult();
    auto yt = dyn_cast<RankedTensorType>(y.getType());
    BufferRef yref = plan.buffers.lookup(y);
    if (!yt || !yt.hasStaticShape() || yref.kind != BufferRef::Arena || yref.root != y)
      continue;
    int64_t axis = concat.getAxis();
    if (axis < 0)
      axis += yt.getRank();
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= yt.getDimSize(d);
    auto staticInput = [](Value in) {
      auto t = dyn_cast<RankedTensorType>(in.getType());
      return t && t.hasStaticShape();
    };
    if (outer != 1 || !llvm::all_of(op.getOperands(), staticInput))
      continue;
    int64_t within = 0;
    for (Value in : op.getOperands()) {
      BufferRef ref = plan.buffers.lookup(in);
      Operation *def = in.getDefiningOp();
      if (ref.kind == BufferRef::Arena && ref.root == in && in.hasOneUse() && def &&
          !isa<onnx::ConcatOp>(def))
        plan.buffers[in] = BufferRef{BufferRef::Arena, 0, 0, y, true, within};
      within += cast<RankedTensorType>(in.getType()).getNumElements();
    }
  }

  // Outputs written in place where the bytes are the producer's own.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  llvm::DenseSet<Value> outputRoots;
  for (auto [k, v] : llvm::enumerate(ret.getOperands())) {
    BufferRef ref = plan.buffers.lookup(v);
    if (ref.kind == BufferRef::Arena && !outputRoots.contains(ref.root)) {
      outputRoots.insert(ref.root);
      for (auto &entry : plan.buffers)
        if (entry.second.kind == BufferRef::Arena && entry.second.root == ref.root) {
          entry.second.kind = BufferRef::Output;
          entry.second.index = int(k);
        }
    } else {
      plan.outputCopies.push_back({v, int(k)});
    }
  }

  // Live ranges of arena roots: from the first definition of any slice to
  // the last use of any view. Kept in program order (a MapVector), which
  // the placement's ties fall back on: a map ordered by pointer gave equal
  // buffers different offsets from one run of onnxc to the next.
  llvm::MapVector<Value, Interval> intervals;
  for (Operation &op : body)
    for (Value r : op.getResults()) {
      auto it = plan.buffers.find(r);
      if (it == plan.buffers.end() || it->second.kind != BufferRef::Arena)
        continue;
      Value root = it->second.root;
      auto &iv = intervals[root];
      if (!iv.root)
        iv = Interval{root, nullptr, tensorBytes(root.getType()), position[&op],
                      position[&op]};
      iv.start = std::min(iv.start, position[&op]);
      for (Operation *user : r.getUsers()) {
        int64_t p = isa<func::ReturnOp>(user) ? end : position[user];
        iv.end = std::max(iv.end, p);
      }
    }
  std::vector<Interval> all;
  for (auto &entry : intervals)
    all.push_back(entry.second);
  for (Operation &op : body)
    if (int64_t bytes = scratchBytes(&op))
      all.push_back(Interval{Value(), &op, bytes, position[&op], position[&op]});

  // Greedy by size: biggest first, lowest offset that fits among the
  // already-placed buffers alive at the same time. Ties keep program order.
  std::stable_sort(all.begin(), all.end(), [&](const Interval &a, const Interval &b) {
    if (a.size != b.size)
      return a.size > b.size;
    return a.start < b.start;
  });
  std::vector<Interval *> placed;
  for (Interval &iv : all) {
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (Interval *p : placed)
      if (!(p->end < iv.start || iv.end < p->start))
        busy.push_back({p->offset, p->offset + alignUp(p->size)});
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (auto &[lo, hi] : busy) {
      if (offset + alignUp(iv.size) <= lo)
        break;
      offset = std::max(offset, hi);
    }
    iv.offset = offset;
    placed.push_back(&iv);
    plan.arenaBytes = std::max(plan.arenaBytes, offset + alignUp(iv.size));
    plan.unsharedBytes += alignUp(iv.size);
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Interval &a, const Interval &b) { return a.start < b.start; });
  for (Interval &iv : all) {
    plan.placements.push_back(
        ArenaPlacement{iv.root, iv.scratchOp, iv.offset, iv.size, iv.start, iv.end});
    if (iv.scratchOp) {
      plan.scratch[iv.scratchOp] = iv.offset;
      continue;
    }
    for (auto &entry : plan.buffers)
      if (entry.second.kind == BufferRef::Arena && entry.second.root == iv.root)
        entry.second.offset = iv.offset;
  }
  return plan;
}
