/**
 * The reactive pipeline: train → register → deploy as one Observable,
 *
 *   train$.pipe(trained(), switchMap(toModel(session, …)), switchMap(toService(session, …)), deployed())
 *
 * while the log of the SAME training job streams to the console: `fit` is cold (each
 * subscription creates a job), so `train$` is `share()`d and both consumers subscribe
 * before it ends. The job is the platform's preset `random-forest` on iris; the pipeline
 * ends with a `Predictor`, which is asked for predictions. Then everything is cleaned up.
 *
 * With no configuration it starts an embedded local ModelMaker platform in this process;
 * with a config file (`~/.modelmaker/config.json` or `MODELMAKER_CONFIG`) the same script
 * runs against that platform. Run: `npx tsx examples/pipeline.ts`.
 */
import { fileURLToPath } from 'node:url';
import { openSession } from '@modelmaker/local';
import {
  deleteModel,
  deleteService,
  deleteTrain,
  deployed,
  fit,
  type Logger,
  listModels,
  listPresetAlgorithms,
  listResources,
  listServices,
  type Predictor,
  toModel,
  toService,
  trained,
  uploadData,
} from 'modelmaker';
import { firstValueFrom, lastValueFrom, map, share, switchMap } from 'rxjs';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const started = Date.now();
const say = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

// The pipeline's steps report themselves through the SDK's log (info level): "model … registered",
// "service … created". Route it through `say` so it reads like the rest.
const logger: Logger = {
  debug: () => {},
  info: (message) => say(`sdk: ${message}`),
  warn: (message) => say(`sdk warning: ${message}`),
  error: (message) => say(`sdk error: ${message}`),
};

const { session, platform, close } = await openSession({ logger, level: 20 });
say(
  platform ? `started a local ModelMaker platform at ${platform.baseUrl}` : 'using the configured platform',
);

const stamp = Date.now();
const name = `pipeline-iris-${stamp}`; // the job's, the model's (toModel's default) and the service's name
let jobId: number | undefined;
try {
  const bucket = await session.bucket();
  const [algorithm, trainMachine, predictMachine] = await Promise.all([
    firstValueFrom(
      listPresetAlgorithms(session).pipe(
        map((list) => list.presetAlgorithms.find((entry) => entry.name === 'random-forest')),
      ),
    ),
    firstValueFrom(listResources(session, 'TRAIN').pipe(map((list) => list.resources[0]!.id))),
    firstValueFrom(listResources(session, 'PREDICT').pipe(map((list) => list.resources[0]!.id))),
  ]);
  if (!algorithm) throw new Error('no preset algorithm named random-forest on this platform');

  say('uploading the iris data set');
  const dataUri = `s3://${bucket}/${name}/data/iris.csv`;
  await lastValueFrom(uploadData(session, here('./data/iris.csv'), dataUri));

  // The polls back off while nothing changes; a short ceiling suits a job of seconds.
  const pace = { ceilingMs: 2000 };
  const train$ = fit(
    session,
    {
      jobName: name,
      frameworkType: 'PRESET_ALGORITHM',
      algorithm: algorithm.id,
      inputs: dataUri,
      outputPath: `s3://${bucket}/${name}/output/`,
      hyperparameters: [
        { name: 'trees', value: 25 },
        { name: 'seed', value: 7 },
      ],
      trainInstanceType: trainMachine,
      trainInstanceCount: 1,
      volumeSize: 1,
    },
    pace,
  ).pipe(share());

  // Consumer 1, the log view: the first subscriber starts the job.
  train$.subscribe({
    next: (event) => {
      if (event.type === 'created') {
        jobId = event.jobId;
        say(`[log view] training job ${event.jobId}, version ${event.versionId}`);
      }
      if (event.type === 'status') say(`[log view] status ${event.status}`);
      if (event.type === 'line') console.log(`  | ${event.line.content}`);
    },
    error: (error: unknown) => say(`[log view] the job failed: ${String(error)}`),
  });

  // Consumer 2, the pipeline: subscribed at once, so it follows the same job (no second one).
  // Put a `tap` between the steps to see each value (the TrainedJob, the RegisteredModel…).
  const predictor: Predictor = await lastValueFrom(
    train$.pipe(
      trained(),
      switchMap(toModel(session, { modelVersion: '1.0.0' })),
      switchMap(
        toService(
          session,
          {
            serviceName: name,
            serviceModels: [{ weight: 100, resourceId: predictMachine, instanceCount: 1 }],
          },
          pace,
        ),
      ),
      deployed(),
    ),
  );
  say(`[pipeline] service ${predictor.serviceId} is running at ${predictor.detail?.accessAddress}`);

  const instances = [
    [5.1, 3.5, 1.4, 0.2],
    [6.0, 2.9, 4.5, 1.5],
    [6.7, 3.0, 5.2, 2.3],
  ];
  const answer = await firstValueFrom(predictor.predict({ instances }));
  say(`predictions for ${JSON.stringify(instances)}: ${JSON.stringify(answer)}`);
} finally {
  // The pipeline hands back only the Predictor; what it created is found by its name.
  const remove = async (what: string, id: number | undefined, call: (id: number) => Promise<unknown>) => {
    if (id === undefined) return;
    await call(id).then(
      () => say(`deleted ${what} ${id}`),
      (error: unknown) => say(`could not delete ${what} ${id}: ${String(error)}`),
    );
  };
  const [services, models] = await Promise.all([
    firstValueFrom(listServices(session)).catch(() => ({ services: [] })),
    firstValueFrom(listModels(session)).catch(() => ({ models: [] })),
  ]);
  await remove('service', services.services.find((s) => s.name === name)?.id, (id) =>
    lastValueFrom(deleteService(session, id)),
  );
  await remove('model', models.models.find((m) => m.name === name)?.id, (id) =>
    lastValueFrom(deleteModel(session, id)),
  );
  await remove('training job', jobId, (id) => lastValueFrom(deleteTrain(session, id)));
  await close();
  say('done');
}
