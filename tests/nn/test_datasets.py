"""Datasets: the shipped files, generated sets, user CSVs, splits and normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn import datasets as D


@pytest.mark.parametrize("name, rows, features, classes", [
    ("breast_cancer", 569, 30, 2), ("digits", 1797, 64, 10), ("iris", 150, 4, 3),
])
def test_shipped_datasets(name, rows, features, classes) -> None:
    data = D.load(name)
    assert data.X.shape == (rows, features) and data.n_classes == classes
    assert data.y.dtype == np.int64 and set(np.unique(data.y)) == set(range(classes))
    assert "CC BY 4.0" in data.source or "public domain" in data.source


def test_breast_cancer_class_counts_match_the_provenance() -> None:
    data = D.breast_cancer()
    assert np.bincount(data.y).tolist() == [212, 357]
    assert data.class_names == ("malignant", "benign")
    assert D.digits().image_shape == (8, 8)


def test_letters_are_clean_then_noisy_copies() -> None:
    data = D.letters(noisy_copies=3, flips=2, seed=1)
    assert data.X.shape == (12, 30) and data.image_shape == (6, 5)
    clean = data.X[:3]
    for k in range(3, 12):
        assert np.sum(data.X[k] != clean[data.y[k]]) == 2
    assert D.letters(seed=1).X.tolist() == D.letters(seed=1).X.tolist()


@pytest.mark.parametrize("maker", [D.xor, D.moons, D.circles, D.spiral, D.blobs])
def test_generated_sets_are_seeded_and_two_dimensional(maker) -> None:
    a, b, c = maker(seed=3), maker(seed=3), maker(seed=4)
    assert a.X.shape[1] == 2 and a.is_classification
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_noise_and_size_parameters() -> None:
    assert len(D.moons(n=50)) == 50
    quiet, loud = D.circles(noise=0.0, seed=0), D.circles(noise=0.3, seed=0)
    radii = np.hypot(*quiet.X.T)
    np.testing.assert_allclose(np.sort(np.unique(np.round(radii, 9))), [0.5, 1.0])
    assert np.std(np.hypot(*loud.X.T)) > np.std(radii) * 0.5
    assert D.spiral(arms=3).n_classes == 3 and D.blobs(centres=4).n_classes == 4


def test_user_csv_with_named_target(tmp_path) -> None:
    path = tmp_path / "plants.csv"
    path.write_text("label,height,width\n1,2.5,3\n0,1.0,2\n1,3.5,1\n")
    data = D.read_csv(path, target="label")
    assert data.feature_names == ("height", "width")
    np.testing.assert_array_equal(data.y, [1, 0, 1])
    np.testing.assert_array_equal(data.X[0], [2.5, 3.0])


def test_a_real_valued_target_is_regression(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("x,y\n1,0.5\n2,1.5\n")
    data = D.read_csv(path)
    assert not data.is_classification and data.y.dtype == np.float64


@pytest.mark.parametrize("text, message", [
    ("a,b\n1,2\n3,x\n", r"line 3, column 2 \('b'\): 'x' is not a number"),
    ("a,b\n1,2\n,4\n", r"line 3, column 1 \('a'\): missing value"),
    ("a,b\n1,2\n3\n", r"line 3: 1 values, the header has 2"),
    ("a,b\n1,nan\n", r"line 2, column 2 \('b'\): 'nan' is not a finite number"),
    ("a,b\n", "needs a header row and at least two rows of data"),
    ("", "needs a header row"),
])
def test_bad_csv_files_name_line_and_column(tmp_path, text, message) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(D.DatasetError, match=message):
        D.read_csv(path)


def test_unknown_target_column_and_unknown_name(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(D.DatasetError, match="no column named 'c'; the columns are a, b"):
        D.read_csv(path, target="c")
    with pytest.raises(D.DatasetError, match="no dataset 'mnist'"):
        D.load("mnist")


def test_split_by_rows_keeps_file_order() -> None:
    train, test = D.split(D.breast_cancer(), train_rows=300)
    assert len(train) == 300 and len(test) == 269
    np.testing.assert_array_equal(test.X[0], D.breast_cancer().X[300])


def test_split_by_fraction_is_seeded_and_disjoint() -> None:
    data = D.iris()
    a_train, a_test = D.split(data, test_fraction=0.2, seed=5)
    b_train, _ = D.split(data, test_fraction=0.2, seed=5)
    assert len(a_test) == 30 and len(a_train) == 120
    np.testing.assert_array_equal(a_train.X, b_train.X)
    rows = {tuple(r) for r in a_train.X.round(6)} & {tuple(r) for r in a_test.X.round(6)}
    assert len(rows) <= 1  # iris has one duplicated flower
    with pytest.raises(ValueError, match="exactly one"):
        D.split(data)


def test_standardise_uses_training_rows_only() -> None:
    train, test = D.split(D.iris(), test_fraction=0.3, seed=0)
    scaled_train, scaled_test, stats = D.standardise(train, test)
    np.testing.assert_allclose(scaled_train.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled_train.X.std(axis=0), 1)
    np.testing.assert_allclose(scaled_test.X, (test.X - train.X.mean(0)) / train.X.std(0))


def test_principal_components_are_uncorrelated_and_ordered() -> None:
    X = D.breast_cancer().X
    Z = D.principal_components((X - X.mean(0)) / X.std(0), 7)
    cov = np.cov(Z.T)
    np.testing.assert_allclose(cov - np.diag(np.diag(cov)), 0, atol=1e-8)
    assert np.all(np.diff(np.diag(cov)) <= 0)
