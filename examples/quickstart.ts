/**
 * The quickstart: train a small Node model on iris, register it, deploy it, call it, clean up.
 *
 * With no configuration it starts an embedded local ModelMaker platform in this process;
 * with a config file (`~/.modelmaker/config.json` or `MODELMAKER_CONFIG`) the same script
 * runs against that platform. Run: `npm start`.
 */
import { fileURLToPath } from 'node:url';
import { openSession } from '@modelmaker/local';
import {
  deleteModel,
  deleteService,
  deleteTrain,
  deployed,
  Estimator,
  listFrameworks,
  listResources,
  trained,
  uploadData,
} from 'modelmaker';
import { firstValueFrom, lastValueFrom, map, share, switchMap, tap } from 'rxjs';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const started = Date.now();
const say = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

// A configured platform that does not answer (a stale ~/.modelmaker/config.json) is one clear error.
const { session, platform, close } = await openSession({ level: 30 }).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
say(
  platform ? `started a local ModelMaker platform at ${platform.baseUrl}` : 'using the configured platform',
);

try {
  const bucket = await session.bucket();
  const stamp = Date.now();
  const framework = process.env.QUICKSTART_FRAMEWORK ?? 'node';

  // The catalog: a training machine, the `node` framework, a serving machine.
  const [trainMachine, trainFramework, predictMachine] = await Promise.all([
    firstValueFrom(listResources(session, 'TRAIN').pipe(map((r) => r.resources[0]!.id))),
    firstValueFrom(
      listFrameworks(session, 'TRAIN').pipe(map((f) => f.frameWorks.find((w) => w.name === framework))),
    ),
    firstValueFrom(listResources(session, 'PREDICT').pipe(map((r) => r.resources[0]!.id))),
  ]);
  if (!trainFramework) throw new Error(`no training framework named ${framework} on this platform`);

  say('uploading the iris data set');
  const dataUri = `s3://${bucket}/quickstart-${stamp}/data/iris.csv`;
  await lastValueFrom(uploadData(session, here('./data/iris.csv'), dataUri));

  const estimator = new Estimator(session, {
    frameworkType: 'BASIC_FRAMEWORK',
    framework: trainFramework.id,
    codeDir: here('./quickstart/code'), // a local directory: uploaded before the job is created
    bootFile: 'train.mjs',
    outputPath: `s3://${bucket}/quickstart-${stamp}/output/`,
    hyperparameters: [{ name: 'EPOCHS', value: 5 }],
    monitors: [{ name: 'accuracy', regular: 'accuracy=([0-9.]+)' }],
    trainInstanceType: trainMachine,
    trainInstanceCount: 1,
    volumeSize: 1,
  });

  // One job, shared: the log view and the pipeline watch the same training version.
  const job$ = estimator.fit({ inputs: dataUri, jobName: 'quickstart-iris', metrics: 'logs' }).pipe(share());
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
      switchMap(() =>
        estimator.createModel({
          modelVersion: '1.0.0',
          modelBootFile: 'predict.mjs',
          modelCodeDir: here('./quickstart/code'),
        }),
      ),
      tap((model) => say(`model ${model.modelId}, version ${model.versionId} registered`)),
      switchMap(() =>
        estimator.deployPredictor({
          serviceName: `quickstart-${stamp}`,
          serviceModels: [{ weight: 100, resourceId: predictMachine, instanceCount: 1 }],
        }),
      ),
      tap((event) => event.type === 'status' && say(`service ${event.status}`)),
      deployed(),
    ),
  );
  const detail = await firstValueFrom(predictor.info());
  say(`service ${predictor.serviceId} is serving at ${detail.accessAddress}`);

  const instances = [
    [5.1, 3.5, 1.4, 0.2],
    [6.0, 2.9, 4.5, 1.5],
    [6.7, 3.0, 5.2, 2.3],
  ];
  const answer = await firstValueFrom(predictor.predict({ instances }));
  say(`predictions for ${JSON.stringify(instances)}: ${JSON.stringify(answer)}`);

  say('cleaning up: service, model, job');
  await lastValueFrom(deleteService(session, predictor.serviceId));
  await lastValueFrom(deleteModel(session, estimator.model!.modelId));
  await lastValueFrom(deleteTrain(session, estimator.jobId!));
} finally {
  await close();
  say('done');
}
