// The webcam: start/stop a stream into a <video>, with clear errors.

/** Starts the camera into `video`; resolves once frames flow. Throws a readable Error. */
export async function startCamera(video) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('this browser cannot use a camera here (it needs https or localhost)');
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  } catch (err) {
    if (err.name === 'NotAllowedError') throw new Error('camera permission was denied');
    if (err.name === 'NotFoundError') throw new Error('no camera was found');
    throw new Error(`the camera could not start: ${err.message}`);
  }
  video.srcObject = stream;
  await video.play();
  return stream;
}

/** Stops every track of the stream shown in `video`. */
export function stopCamera(video) {
  video.srcObject?.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
}
