"""How the artifact beside this file was made: with the recsys code from before issue 9
(commit 5fc0eed), whose meta has none of the serving settings added since.

    git archive 5fc0eed recsys tests/support | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old .venv/bin/python tests/recsys/data/make_before_issue_9.py OUT
"""

import sys
from pathlib import Path

from recsys import artifacts
from recsys.train import TrainConfig, fit
from recsys.watch import WatchConfig
from tests.support.synthetic import low_rank

data = low_rank(n_users=40, n_items=30, rank=2, seed=5)
config = TrainConfig(dim=4, epochs=3, seed=1, watch=WatchConfig(min_support=3, l2=20.0))
rec = fit(data.ratings, config, data.movies).recommender
print(artifacts.save(rec, Path(sys.argv[1]), activate=False))
