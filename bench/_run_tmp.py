import sys, time
from bench import setup_django
setup_django()
from django.core.management import call_command
from bench import imports as b
call_command("migrate", interactive=False, verbosity=0)
import logging
logging.basicConfig(format="  %(message)s")
logging.getLogger("wattelt.imports.bulk").setLevel(logging.INFO)
officer, trajectories = b.world(int(sys.argv[1]))
content = b.csv_file(trajectories, 1)
print("world ready", flush=True)
for dry in (True, False):
    s, job = b.timed(officer, content, dry)
    print(job.state, s)
