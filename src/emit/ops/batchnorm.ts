// batchnorm: PyTorch BatchNorm2d / BatchNorm1d (see ../normalize.ts).
import { channelNorm } from "../normalize.ts";

export const batchnorm = channelNorm();
