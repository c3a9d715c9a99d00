"""The digital twin: dynamic models of the machines fitted from the historian, and dry runs of a change.

    twin = fit_twin(plant, history)                     # history: machine -> tag -> [(seconds, value)]
    save_twin(twin, "plants/riverside/twin.yaml")
    run = predict(load_twin("plants/riverside/twin.yaml", plant), "OV-201", "temp_setpoint", 190, live)
    twin_error(run, actual)                             # after the change: how far the prediction was off

It imports only ``connectors`` (the plant file) and numerical libraries: the same code fits a real plant's
historian and the simulator's, and never reads the simulator's internals.
"""

from twin.accuracy import ReadingError, twin_error
from twin.errors import BadChange, TwinError, TwinFileError
from twin.file import load_twin, save_twin
from twin.fit import fit_twin
from twin.model import Change, FitPeriod, NotFitted, PairModel, Reason, RunModel, SetpointModel, Structure, Twin
from twin.predict import Alarm, DryRun, Limit, Trajectory, predict

__all__ = [
    "Alarm", "BadChange", "Change", "DryRun", "FitPeriod", "Limit", "NotFitted", "PairModel", "Reason",
    "ReadingError", "RunModel", "SetpointModel", "Structure", "Trajectory", "Twin", "TwinError", "TwinFileError",
    "fit_twin", "load_twin", "predict", "save_twin", "twin_error",
]
