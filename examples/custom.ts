/**
 * A CUSTOM job and a CUSTOM model: our own training script run by a command line
 * (`userCommand` + `userCommandArgs`) in a named image (`userImageUrl`) on data from S3,
 * then a CUSTOM model (`modelMirrorUrl`, its serving image) registered with `Model` on the
 * job's output, deployed, asked for predictions, and everything cleaned up. The scripts are
 * in `examples/custom/`: `train.mjs` (softmax regression, logs `epoch=… loss=… accuracy=…`)
 * and `serve.mjs` (answers `POST /ModelMaker/predict`).
 *
 * On the embedded local platform the image is recorded, and the training command runs on
 * the host — or in the image, when a container engine (docker or podman) answers; hence
 * `node:20-alpine`, an image with the `node` the command names. The service runs on the host
 * too: the service model's env `MODELMAKER_HOST_COMMAND` (an extension of the local
 * platform; a real platform ignores it and runs the image) gives the command line of its
 * server. On a real platform, build images that hold your scripts and name them here.
 *
 * With no configuration it starts an embedded local ModelMaker platform in this process;
 * with a config file (`~/.modelmaker/config.json` or `MODELMAKER_CONFIG`) the same script
 * runs against that platform. Run: `npx tsx examples/custom.ts`.
 */
import { fileURLToPath } from 'node:url';
import { openSession } from '@modelmaker/local';
import { deployed, Estimator, Model, trained, uploadData } from 'modelmaker';
import { EMPTY, firstValueFrom, lastValueFrom, map, type Observable, of, share, tap } from 'rxjs';
import { quote } from 'shell-quote';

/** The image of both the training job and the model (recorded only, on the local platform without an engine). */
const IMAGE = 'node:20-alpine';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const started = Date.now();
const say = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

const { session, platform, close } = await openSession({ level: 30 });
say(
  platform ? `started a local ModelMaker platform at ${platform.baseUrl}` : 'using the configured platform',
);

let estimator: Estimator | undefined;
const model = new Model(session);
try {
  const bucket = await session.bucket();
  const stamp = Date.now();
  const [trainMachine, predictMachine] = await Promise.all([
    firstValueFrom(Estimator.trainMachine(session).pipe(map((list) => list.resources[0]!.id))),
    firstValueFrom(Estimator.predictMachine(session).pipe(map((list) => list.resources[0]!.id))),
  ]);

  say('uploading the iris data set');
  const dataUri = `s3://${bucket}/custom-${stamp}/data/iris.csv`;
  await lastValueFrom(uploadData(session, here('./data/iris.csv'), dataUri));

  estimator = new Estimator(session, {
    frameworkType: 'CUSTOM',
    userImageUrl: IMAGE,
    userCommand: 'node',
    userCommandArgs: 'train.mjs --epochs 10 --delay-ms 100',
    codeDir: here('./custom'), // uploaded, then the working directory of the command
    outputPath: `s3://${bucket}/custom-${stamp}/output/`,
    monitors: [
      { name: 'accuracy', regular: 'accuracy=([0-9.]+)' },
      { name: 'loss', regular: 'loss=([0-9.]+)' },
    ],
    trainInstanceType: trainMachine,
    trainInstanceCount: 1,
    volumeSize: 1,
  });

  // One job, shared: the log view and the wait for its end. `metrics: 'logs'` reads the
  // metrics from the log lines in this process with the same `monitors`.
  const job$ = estimator
    .fit({ inputs: dataUri, jobName: `custom-iris-${stamp}`, metrics: 'logs' })
    .pipe(share());
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
  await lastValueFrom(job$.pipe(trained()));

  const artifacts = await firstValueFrom(estimator.artifacts());
  say(`output at ${artifacts.output}: ${artifacts.files.map((file) => file.key).join(', ')}`);

  // A CUSTOM model is an image plus the model files: here the job's output.
  const registered = await lastValueFrom(
    model.createModel({
      modelName: `custom-iris-${stamp}`,
      modelVersion: '1.0.0',
      modelFrameworkType: 'CUSTOM',
      modelMirrorUrl: IMAGE,
      modelPath: artifacts.output,
      modelDescription: 'softmax regression on iris, served by examples/custom/serve.mjs',
    }),
  );
  say(`model ${registered.modelId}, version ${registered.versionId} registered (CUSTOM, image ${IMAGE})`);

  // The server's command line, quoted as a shell would read it (it runs without a shell).
  const serveCommand = quote([process.execPath, here('./custom/serve.mjs')]);
  const predictor = await lastValueFrom(
    model
      .deployPredictor({
        serviceName: `custom-iris-${stamp}`,
        serviceModels: [
          {
            weight: 100,
            resourceId: predictMachine,
            instanceCount: 1,
            envs: [{ name: 'MODELMAKER_HOST_COMMAND', value: serveCommand }],
          },
        ],
      })
      .pipe(
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
} finally {
  // Whatever this run created, newest first; then the platform (when it was started here).
  const jobId = estimator?.jobId;
  const steps: Array<[string, Observable<number>, (id: number) => Observable<unknown>]> = [
    ['service', model.getServiceId(), (id) => model.deleteService(id)],
    ['model', model.getModelId(), (id) => model.destroyModel(id)],
    ['training job', jobId === undefined ? EMPTY : of(jobId), (id) => Estimator.destroyJob(session, id)],
  ];
  for (const [what, id$, remove] of steps) {
    const id = await firstValueFrom(id$).catch(() => undefined);
    if (id === undefined) continue;
    await lastValueFrom(remove(id)).then(
      () => say(`deleted ${what} ${id}`),
      (error: unknown) => say(`could not delete ${what} ${id}: ${String(error)}`),
    );
  }
  await close();
  say('done');
}
