import type { ReactNode, SVGProps } from "react";

/** Stroke icons of the video controls (24×24, after the MIT-licensed Tabler set, like shell/icons.tsx). */

type Props = Omit<SVGProps<SVGSVGElement>, "children"> & { size?: number };

function Svg({ size = 16, children, ...props }: Props & { children: ReactNode }) {
  return (
    <svg xmlns="http://www.w3.org/2000/svg" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...props}>
      {children}
    </svg>
  );
}

export const IconStepBack = (props: Props) => (
  <Svg {...props}><path d="M20 5v14l-12 -7z" /><path d="M4 5v14" /></Svg>
);
export const IconStepForward = (props: Props) => (
  <Svg {...props}><path d="M4 5v14l12 -7z" /><path d="M20 5v14" /></Svg>
);
export const IconHistory = (props: Props) => (
  <Svg {...props}><path d="M12 8v4l2 2" /><path d="M3.05 11a9 9 0 1 1 .5 4m-.5 5v-5h5" /></Svg>
);
export const IconFlag = (props: Props) => (
  <Svg {...props}><path d="M5 5a5 5 0 0 1 7 0a5 5 0 0 0 7 0v9a5 5 0 0 1 -7 0a5 5 0 0 0 -7 0v-9z" /><path d="M5 21v-7" /></Svg>
);
export const IconX = (props: Props) => (
  <Svg {...props}><path d="M18 6l-12 12" /><path d="M6 6l12 12" /></Svg>
);
export const IconSettings = (props: Props) => (
  <Svg {...props}>
    <path d="M10.325 4.317c.426 -1.756 2.924 -1.756 3.35 0a1.724 1.724 0 0 0 2.573 1.066c1.543 -.94 3.31 .826 2.37 2.37a1.724 1.724 0 0 0 1.065 2.572c1.756 .426 1.756 2.924 0 3.35a1.724 1.724 0 0 0 -1.066 2.573c.94 1.543 -.826 3.31 -2.37 2.37a1.724 1.724 0 0 0 -2.572 1.065c-.426 1.756 -2.924 1.756 -3.35 0a1.724 1.724 0 0 0 -2.573 -1.066c-1.543 .94 -3.31 -.826 -2.37 -2.37a1.724 1.724 0 0 0 -1.065 -2.572c-1.756 -.426 -1.756 -2.924 0 -3.35a1.724 1.724 0 0 0 1.066 -2.573c-.94 -1.543 .826 -3.31 2.37 -2.37c1 .608 2.296 .07 2.572 -1.065z" />
    <path d="M9 12a3 3 0 1 0 6 0a3 3 0 0 0 -6 0" />
  </Svg>
);
