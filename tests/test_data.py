import torch

from aeflow.autoencoder.batches import ShuffledBatches
from aeflow.autoencoder.data import load_points, make_samples


def test_samples_lie_in_the_rectangle_with_configured_sizes():
    samples = make_samples(100, 1000, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    assert list(samples.columns) == ["x", "y", "split"]
    assert (samples["split"] == "train").sum() == 100
    assert (samples["split"] == "test").sum() == 1000
    assert samples["x"].between(-2, 2).all() and samples["y"].between(-1, 1).all()
    # Uniform over the whole rectangle, not a corner of it.
    assert samples["x"].min() < -1.9 and samples["x"].max() > 1.9


def test_samples_are_reproducible_under_the_seed():
    a = make_samples(50, 10, (0.0, 1.0), (5.0, 6.0), seed=3)
    b = make_samples(50, 10, (0.0, 1.0), (5.0, 6.0), seed=3)
    c = make_samples(50, 10, (0.0, 1.0), (5.0, 6.0), seed=4)
    assert a.equals(b)
    assert not a.equals(c)


def test_points_round_trip_through_csv_exactly(tmp_path):
    samples = make_samples(30, 5, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    samples.to_csv(tmp_path / "s.csv", index=False)
    points = load_points(tmp_path / "s.csv", "train")
    assert points.dtype == torch.float32 and points.shape == (30, 2)
    assert torch.equal(points, torch.tensor(samples[["x", "y"]].to_numpy()[:30]).float())


def test_batches_cover_each_point_once_per_epoch_and_drop_the_rest():
    data = torch.arange(20.0).unsqueeze(1)
    batches = ShuffledBatches(data, batch_size=8, shuffle=True, drop_last=True, seed=0)
    assert len(batches) == 2
    first = torch.cat(list(batches)).squeeze()
    assert len(first) == 16 and len(set(first.tolist())) == 16
    second = torch.cat(list(batches)).squeeze()
    assert not torch.equal(first, second)  # a new order each epoch


def test_batches_without_drop_last_and_full_batch():
    data = torch.arange(20.0).unsqueeze(1)
    assert [len(b) for b in ShuffledBatches(data, 8, shuffle=False, drop_last=False)] == [8, 8, 4]
    assert len(ShuffledBatches(data, 20)) == 1
