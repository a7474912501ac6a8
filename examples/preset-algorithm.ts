/**
 * A PRESET_ALGORITHM job: the platform's own logistic regression trained on iris — no
 * training code of ours. Shows the catalog looked up by name (`Estimator.presetAlgorithm`),
 * hyperparameters, live logs and the `accuracy` metric (read from the platform's
 * performance monitor), `createModel` defaulting to the PRESET_MODEL of the same name,
 * deploy, predict, and cleaning up.
 *
 * With no configuration it starts an embedded local ModelMaker platform in this process;
 * with a config file (`~/.modelmaker/config.json` or `MODELMAKER_CONFIG`) the same script
 * runs against that platform. Run: `npx tsx examples/preset-algorithm.ts`.
 */
import { fileURLToPath } from 'node:url';
import { openSession } from '@modelmaker/local';
import {
  deleteModel,
  deleteService,
  deleteTrain,
  deployed,
  Estimator,
  trained,
  uploadData,
} from 'modelmaker';
import { firstValueFrom, lastValueFrom, map, type Observable, share, switchMap, tap } from 'rxjs';

const ALGORITHM = 'logistic-regression';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const started = Date.now();
const say = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

const { session, platform, close } = await openSession({ level: 30 });
say(
  platform ? `started a local ModelMaker platform at ${platform.baseUrl}` : 'using the configured platform',
);

let estimator: Estimator | undefined;
try {
  const bucket = await session.bucket();
  const stamp = Date.now();

  // The catalog: the preset algorithm by name, a training machine, a serving machine.
  const [algorithm, trainMachine, predictMachine] = await Promise.all([
    firstValueFrom(
      Estimator.presetAlgorithm(session).pipe(
        map((list) => list.presetAlgorithms.find((entry) => entry.name === ALGORITHM)),
      ),
    ),
    firstValueFrom(Estimator.trainMachine(session).pipe(map((list) => list.resources[0]!.id))),
    firstValueFrom(Estimator.predictMachine(session).pipe(map((list) => list.resources[0]!.id))),
  ]);
  if (!algorithm) throw new Error(`no preset algorithm named ${ALGORITHM} on this platform`);
  say(`preset algorithm ${algorithm.name} is ${algorithm.id}: ${algorithm.description ?? ''}`);

  say('uploading the iris data set');
  const dataUri = `s3://${bucket}/preset-${stamp}/data/iris.csv`;
  await lastValueFrom(uploadData(session, here('./data/iris.csv'), dataUri));

  estimator = new Estimator(session, {
    frameworkType: 'PRESET_ALGORITHM',
    algorithm: algorithm.id,
    outputPath: `s3://${bucket}/preset-${stamp}/output/`,
    // `label` defaults to the last column; named here to show it. Each epoch logs `epoch=… loss=… accuracy=…`.
    hyperparameters: [
      { name: 'label', value: 'species' },
      { name: 'epochs', value: 12 },
    ],
    // Group 1 is the value; `epoch=` keeps the summary line at the end out of the series.
    monitors: [{ name: 'accuracy', regular: '^epoch=\\d+ .*accuracy=([0-9.]+)' }],
    trainInstanceType: trainMachine,
    trainInstanceCount: 1,
    volumeSize: 1,
  });
  const trainer = estimator;

  // One job, shared by the log view and the pipeline. `metrics` defaults to the platform's
  // performance monitor, which applies the job's `monitors` to its log on the server side.
  const job$ = trainer.fit({ inputs: dataUri, jobName: `preset-iris-${stamp}` }).pipe(share());
  job$
    .pipe(
      tap((event) => {
        if (event.type === 'created') say(`training job ${event.jobId}, version ${event.versionId} created`);
        if (event.type === 'status') say(`status ${event.status}`);
        if (event.type === 'line') console.log(`  | ${event.line.content}`);
        if (event.type === 'metric') say(`metric ${event.sample.name} = ${event.sample.value}`);
      }),
    )
    .subscribe({ error: () => {} });

  const predictor = await lastValueFrom(
    job$.pipe(
      trained(),
      // modelName, modelPath and the model type and framework (the preset model named
      // `logistic-regression`) all default from the finished job.
      switchMap(() => trainer.createModel({ modelVersion: '1.0.0' })),
      tap((model) =>
        say(
          `model ${model.modelId}, version ${model.versionId} registered: ${model.body.type} ${model.body.presetModelId}`,
        ),
      ),
      switchMap(() =>
        trainer.deployPredictor({
          serviceName: `preset-iris-${stamp}`,
          serviceModels: [{ weight: 100, resourceId: predictMachine, instanceCount: 1 }],
        }),
      ),
      tap((event) => event.type === 'status' && say(`service ${event.status}`)),
      deployed(),
    ),
  );
  const detail = await firstValueFrom(predictor.info());
  say(`service ${predictor.serviceId} is serving at ${detail.accessAddress}`);

  // The built-in predictor takes each instance as an array in the training CSV's column
  // order, or as an object keyed by column name.
  const instances = [
    [5.1, 3.5, 1.4, 0.2],
    [6.0, 2.9, 4.5, 1.5],
    { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 },
  ];
  const answer = await firstValueFrom(predictor.predict({ instances }));
  say(`predictions for ${JSON.stringify(instances)}: ${JSON.stringify(answer)}`);
} finally {
  // Whatever this run created, newest first; then the platform (when it was started here).
  if (estimator) {
    const made: Array<[string, number | undefined, (id: number) => Observable<unknown>]> = [
      ['service', estimator.serviceId, (id) => deleteService(session, id)],
      ['model', estimator.model?.modelId, (id) => deleteModel(session, id)],
      ['training job', estimator.jobId, (id) => deleteTrain(session, id)],
    ];
    for (const [what, id, remove] of made) {
      if (id === undefined) continue;
      await lastValueFrom(remove(id)).then(
        () => say(`deleted ${what} ${id}`),
        (error: unknown) => say(`could not delete ${what} ${id}: ${String(error)}`),
      );
    }
  }
  await close();
  say('done');
}
