// The webcam: start/stop a stream into a <video>, pick front/back, with clear errors.

/** Starts the camera into `video` (`facing`: "", "user" or "environment"); throws a readable Error. */
export async function startCamera(video, { facing = '', onEnded = () => {} } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('this browser cannot use a camera here (it needs https or localhost)');
  }
  const constraints = { width: 640, height: 480, ...(facing ? { facingMode: facing } : {}) };
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: constraints, audio: false });
  } catch (err) {
    if (err.name === 'NotAllowedError') throw new Error('camera permission was denied');
    if (err.name === 'NotFoundError' || err.name === 'OverconstrainedError') throw new Error('no camera was found');
    throw new Error(`the camera could not start: ${err.message}`);
  }
  for (const track of stream.getVideoTracks()) track.addEventListener('ended', onEnded);
  video.srcObject = stream;
  await video.play();
  return stream;
}

/** Stops every track of the stream shown in `video`. */
export function stopCamera(video) {
  video.srcObject?.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
}
