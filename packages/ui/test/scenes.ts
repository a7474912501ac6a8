/**
 * Scenes for screenshots and the bench: a platform with jobs in every state, a
 * registered preset model and a running service.
 */
import { deploy, fit, registerModel, type Session } from 'modelmaker';
import { filter, lastValueFrom } from 'rxjs';
import {
  FAST_POLL,
  fixtureJob,
  LOGISTIC_REGRESSION,
  LOGISTIC_REGRESSION_MODEL,
  PREDICT_MACHINE,
  type Stack,
  startJob,
  TRAIN_SMALL,
} from './support.js';

/** A model trained by the preset logistic regression on iris and registered (PRESET_MODEL); its ids. */
export async function registerPresetModel(
  session: Session,
  stack: Pick<Stack, 'bucket' | 'data'>,
  name: string,
): Promise<{ modelId: number; modelVersionId: number }> {
  const output = `s3://${stack.bucket}/${name}/output/`;
  await lastValueFrom(
    fit(
      session,
      {
        jobName: `${name}-logistic`,
        frameworkType: 'PRESET_ALGORITHM',
        algorithm: LOGISTIC_REGRESSION,
        inputs: stack.data,
        outputPath: output,
        trainInstanceType: TRAIN_SMALL,
        trainInstanceCount: 1,
        volumeSize: 1,
        hyperparameters: [{ name: 'epochs', value: 6 }],
        monitors: [{ name: 'accuracy', regular: 'accuracy=([0-9.]+)' }],
      },
      FAST_POLL,
    ),
  );
  const model = await lastValueFrom(
    registerModel(session, {
      name,
      type: 'PRESET_MODEL',
      version: '1.0.0',
      presetModelId: LOGISTIC_REGRESSION_MODEL,
      modelPath: output,
      description: 'logistic regression on iris',
    }),
  );
  return { modelId: model.id, modelVersionId: model.versionId };
}

/** {@link registerPresetModel}, then deployed and running; the ids. */
export async function deployIrisService(
  session: Session,
  stack: Pick<Stack, 'bucket' | 'data'>,
  name = 'iris',
): Promise<{ serviceId: number; modelId: number; modelVersionId: number }> {
  const model = await registerPresetModel(session, stack, name);
  const running = await lastValueFrom(
    deploy(
      session,
      {
        serviceName: `${name}-service`,
        serviceModels: [
          {
            modelVersionId: model.modelVersionId,
            weight: 100,
            resourceId: PREDICT_MACHINE,
            instanceCount: 1,
          },
        ],
      },
      undefined,
      FAST_POLL,
    ).pipe(filter((event) => event.type === 'running')),
  );
  return {
    serviceId: running.type === 'running' ? running.predictor.serviceId : 0,
    ...model,
  };
}

/** Jobs in several states: finished, failed, one still running (long), and their ids. */
export async function jobsInEveryState(session: Session, stack: Pick<Stack, 'bucket' | 'data'>) {
  const finished = await startJob(session, fixtureJob(stack, 'resnet-baseline', { steps: 12, delayMs: 40 }));
  const failed = await startJob(
    session,
    fixtureJob(stack, 'bert-finetune', { steps: 3, delayMs: 40, exit: 3 }),
  );
  const running = await startJob(session, fixtureJob(stack, 'xgboost-sweep', { steps: 400, delayMs: 250 }));
  return { finished, failed, running };
}
