import torch

from aeflow.autoencoder.batches import ShuffledBatches
from aeflow.autoencoder.data import (
    load_points,
    make_replica_samples,
    make_samples,
    replica_points,
    replicas_points,
)


def test_samples_lie_in_the_rectangle_with_configured_sizes():
    samples = make_samples(100, 1000, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    assert list(samples.columns) == ["x", "y", "split", "sample"]
    assert (samples["sample"] == 0).all()
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


def test_replica_samples_draw_sample_k_with_seed_plus_k(tmp_path):
    args = (30, 5, (-2.0, 2.0), (-1.0, 1.0))
    # One sample is exactly today's single sample (so the setting off changes nothing).
    assert make_replica_samples(*args, seed=4).equals(make_samples(*args, seed=4))
    three = make_replica_samples(*args, seed=4, samples=3)
    assert three["sample"].tolist() == [k for k in range(3) for _ in range(35)]
    for k in range(3):
        part = three[three["sample"] == k].reset_index(drop=True)
        assert part.equals(make_samples(*args, seed=4 + k).assign(sample=k))
    # Written and read back: (samples, n, 2), replica k's points its own sample's.
    three.to_csv(tmp_path / "s.csv", index=False)
    train, test = load_points(tmp_path / "s.csv"), load_points(tmp_path / "s.csv", "test")
    assert train.shape == (3, 30, 2) and test.shape == (3, 5, 2)
    for k in range(3):
        alone = make_samples(*args, seed=4 + k)
        expected = torch.tensor(alone[["x", "y"]].to_numpy()[:30]).float()
        assert torch.equal(replica_points(train, k), expected)
    assert replicas_points(train, 2).shape == (2, 30, 2)
    shared = train[0]
    assert replica_points(shared, 2) is shared and replicas_points(shared, 5) is shared


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
