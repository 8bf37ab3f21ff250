"""python manage.py train_recommenders — train every rail now, in the foreground, and print the metrics."""

import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from personalization.recommendations.training import recommenders_train
from personalization.recommendations.training_lock import TrainingLock


class Command(BaseCommand):
    help = ("Train the recommenders from the consented event store (as the scheduled task does), switch the "
            "shop to the new version and print its counts and metrics.")

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, no_progress: bool, **options):
        lock = TrainingLock("command")
        if not lock.acquire():
            raise CommandError("Another training is running; try again when it has finished.")
        bar = tqdm(total=100, desc="Training", unit="%", disable=no_progress, file=self.stderr._out)

        def progress(percent: int, stage: str) -> None:
            bar.set_postfix_str(stage)
            bar.update(percent - bar.n)

        try:
            version = recommenders_train(progress=progress)
        except Exception as error:
            raise CommandError(f"Training failed ({type(error).__name__}: {error}); "
                               "the previous version keeps serving.") from None
        finally:
            bar.close()
            lock.release()
        if version is None:
            self.stdout.write("Nothing to train: the shop has no published product.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Model version {version.pk} is serving (trained in {version.duration_seconds:.1f} s)."))
        self.stdout.write("Counts: " + ", ".join(f"{key} {value:,}" for key, value in version.counts.items()))
        metrics = version.metrics
        if "for_you" in metrics:
            self.stdout.write(
                f"Held-out check on the last {metrics['holdout_days']} days ({metrics['customers']:,} customers): "
                f"for you NDCG@10 {metrics['for_you']['ndcg@10']:.4f}, hit rate@10 "
                f"{metrics['for_you']['hit_rate@10']:.4f}; trending NDCG@10 {metrics['trending']['ndcg@10']:.4f}.")
        else:
            self.stdout.write("Metrics: " + json.dumps(metrics))
